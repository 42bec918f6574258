-- Values of the stations of one medium, in canonical units, oldest first per station and
-- parameter; each filter is skipped when its value is NULL.
SELECT s.ref, m.parameter, m.observed_at, m.value
FROM measurements m
JOIN monitoring_stations s ON s.id = m.station_id
WHERE s.medium = %(medium)s
  AND (%(refs)s::text[] IS NULL OR s.ref = ANY(%(refs)s))
  AND (%(start)s::timestamptz IS NULL OR m.observed_at >= %(start)s)
  AND (%(end)s::timestamptz IS NULL OR m.observed_at < %(end)s)
ORDER BY 1, 2, 3
