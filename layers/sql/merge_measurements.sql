-- Staged measurements into the table; {action} is what a value already stored for the same
-- station, parameter and time gets (kept, or replaced when it differs). Returns the counts
-- of rows inserted and updated.
WITH up AS (
    INSERT INTO measurements AS m
    SELECT * FROM _mstage
    ON CONFLICT (station_id, parameter, observed_at) {action}
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
FROM up
