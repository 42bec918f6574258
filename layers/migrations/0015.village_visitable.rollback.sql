-- Rollback of 0015.village_visitable.
DROP INDEX IF EXISTS craft_villages_visitable_idx;
ALTER TABLE craft_villages DROP COLUMN visitable;
