-- Rollback of 0015.green_strip.
ALTER TABLE industrial_clusters DROP COLUMN green_strip_m;
