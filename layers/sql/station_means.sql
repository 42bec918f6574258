-- Each located station's mean of one parameter over a period (usable values only).
SELECT s.ref, ST_X(s.geom), ST_Y(s.geom), avg(m.value), count(*)
FROM measurements m
JOIN monitoring_stations s ON s.id = m.station_id
WHERE m.parameter = %(parameter)s
  AND s.geom IS NOT NULL
  AND m.quality_flag IN ('ok', 'synthetic')
  AND (%(start)s::timestamptz IS NULL OR m.observed_at >= %(start)s)
  AND (%(end)s::timestamptz IS NULL OR m.observed_at < %(end)s)
GROUP BY s.ref, s.geom
