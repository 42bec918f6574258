-- Rollback of 0023.scenario_notes.
ALTER TABLE scenarios DROP COLUMN notes;
