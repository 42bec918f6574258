-- Episodes found by a rule: new ones inserted, known ones (same rule, station, start)
-- extended; returns whether each row was new.
INSERT INTO alerts (rule_id, station_ref, started_at, ended_at, hours, peak)
VALUES %s
ON CONFLICT (rule_id, station_ref, started_at) DO UPDATE
SET ended_at = EXCLUDED.ended_at,
    hours = EXCLUDED.hours,
    peak = EXCLUDED.peak
RETURNING (xmax = 0)
