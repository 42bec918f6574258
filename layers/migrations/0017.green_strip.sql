-- depends: 0016.sessions
-- The width of a cluster's green isolation strip, metres (QCVN 01:2021/BXD: at least 10 m of
-- planted land around or inside industrial zones, storage and clusters). NULL when not
-- recorded: the check then answers "unknown".

ALTER TABLE industrial_clusters
    ADD COLUMN green_strip_m numeric(6, 2) CHECK (green_strip_m >= 0);
