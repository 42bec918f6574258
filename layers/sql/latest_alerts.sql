-- The latest alerts with their rule's name and parameter (VN_AQI for index rules).
SELECT a.id, r.name, a.station_ref, s.name, a.started_at, a.ended_at, a.hours, a.peak,
       coalesce(r.parameter, 'VN_AQI')
FROM alerts a
JOIN alert_rules r ON r.id = a.rule_id
LEFT JOIN monitoring_stations s ON s.ref = a.station_ref
ORDER BY a.started_at DESC
LIMIT %(limit)s
