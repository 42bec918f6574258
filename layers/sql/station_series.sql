-- The last days of values of one station and parameter, counted back from its latest value.
WITH last AS (
    SELECT max(observed_at) AS t
    FROM measurements
    WHERE station_id = %(s)s AND parameter = %(p)s
)
SELECT observed_at, value, quality_flag
FROM measurements, last
WHERE station_id = %(s)s
  AND parameter = %(p)s
  AND observed_at > last.t - make_interval(days => %(d)s)
ORDER BY observed_at
