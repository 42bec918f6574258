-- One station's mean of each parameter on one local day (usable values only).
SELECT parameter, avg(value), count(*)
FROM measurements
WHERE station_id = %(station_id)s
  AND (observed_at AT TIME ZONE %(tz)s)::date = %(day)s
  AND quality_flag IN ('ok', 'synthetic')
GROUP BY parameter
ORDER BY parameter
