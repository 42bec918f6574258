-- Rollback of 0017.green_strip.
ALTER TABLE industrial_clusters DROP COLUMN green_strip_m;
