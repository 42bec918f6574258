-- One page of alerts, newest first, with their rule, station (and its position) and unit.
SELECT a.id, a.rule_id, r.name, coalesce(r.parameter, 'VN_AQI'), p.unit,
       a.station_ref, s.name, ST_X(s.geom), ST_Y(s.geom),
       a.started_at, a.ended_at, a.hours, a.peak, a.status, a.note, a.handled_by, a.handled_at
FROM alerts a
JOIN alert_rules r ON r.id = a.rule_id
LEFT JOIN parameters p ON p.code = r.parameter
LEFT JOIN monitoring_stations s ON s.ref = a.station_ref
WHERE (%(status)s::text IS NULL OR a.status = %(status)s)
  AND (%(rule_id)s::int IS NULL OR a.rule_id = %(rule_id)s)
  AND (%(station)s::text IS NULL OR a.station_ref = %(station)s)
  AND (%(since)s::timestamptz IS NULL OR a.started_at >= %(since)s)
  AND (%(until)s::timestamptz IS NULL OR a.started_at < %(until)s)
ORDER BY a.started_at DESC, a.id DESC
LIMIT %(limit)s OFFSET %(offset)s
