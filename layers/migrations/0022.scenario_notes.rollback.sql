-- Rollback of 0022.scenario_notes.
ALTER TABLE scenarios DROP COLUMN notes;
