-- Each station's latest value of each parameter (one index scan per station and parameter).
SELECT s.id, s.ref, p.code, m.observed_at, m.value, m.unit
FROM monitoring_stations s
CROSS JOIN parameters p
CROSS JOIN LATERAL (
    SELECT observed_at, value, unit
    FROM measurements m
    WHERE m.station_id = s.id AND m.parameter = p.code
    ORDER BY observed_at DESC
    LIMIT 1
) m
ORDER BY s.id, p.code
