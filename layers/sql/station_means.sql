-- Each located station's mean of one parameter over a period (usable values only), with the
-- number of distinct hours that have a value, and the first and last hour of the parameter's
-- values at any located station (the period when none is given).
SELECT s.ref, ST_X(s.geom), ST_Y(s.geom), avg(m.value), count(*),
       count(DISTINCT date_trunc('hour', m.observed_at)),
       min(min(m.observed_at)) OVER (), max(max(m.observed_at)) OVER ()
FROM measurements m
JOIN monitoring_stations s ON s.id = m.station_id
WHERE m.parameter = %(parameter)s
  AND s.geom IS NOT NULL
  AND m.quality_flag IN ('ok', 'synthetic')
  AND (%(start)s::timestamptz IS NULL OR m.observed_at >= %(start)s)
  AND (%(end)s::timestamptz IS NULL OR m.observed_at < %(end)s)
GROUP BY s.ref, s.geom
ORDER BY s.ref
