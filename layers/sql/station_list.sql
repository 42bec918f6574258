-- Every station with its position (WGS 84, or null) and, per parameter, the first and last
-- time of its values: two index probes per station and parameter (the primary key
-- (station_id, parameter, observed_at)), no scan of the measurements.
SELECT s.id, s.ref, s.name, s.name_ascii, s.medium, s.operator, s.synthetic,
       ST_X(ST_Transform(s.geom, %(wgs84)s)) AS lon,
       ST_Y(ST_Transform(s.geom, %(wgs84)s)) AS lat,
       coalesce(
           json_agg(json_build_object('parameter', p.code, 'first', r.first, 'last', r.last)
                    ORDER BY p.code) FILTER (WHERE r.first IS NOT NULL),
           '[]'::json) AS ranges
FROM monitoring_stations s
CROSS JOIN parameters p
CROSS JOIN LATERAL (
    SELECT (SELECT min(m.observed_at) FROM measurements m
            WHERE m.station_id = s.id AND m.parameter = p.code) AS first,
           (SELECT max(m.observed_at) FROM measurements m
            WHERE m.station_id = s.id AND m.parameter = p.code) AS last
) r
GROUP BY s.id
ORDER BY s.name, s.ref
