-- One station's values of one parameter in a half-open period [a, b).
SELECT observed_at, value, quality_flag
FROM measurements
WHERE station_id = %(s)s
  AND parameter = %(p)s
  AND observed_at >= %(a)s
  AND observed_at < %(b)s
ORDER BY observed_at
