-- Every alert rule with its alerts counted by status, in the order the rules were made.
SELECT r.id, r.name, r.parameter, r.threshold, r.aqi_at_least, r.min_hours, r.station_ref,
       r.active, r.created_at, r.updated_at,
       count(a.id) FILTER (WHERE a.status = 'open'),
       count(a.id) FILTER (WHERE a.status = 'acknowledged'),
       count(a.id) FILTER (WHERE a.status = 'closed')
FROM alert_rules r
LEFT JOIN alerts a ON a.rule_id = r.id
GROUP BY r.id
ORDER BY r.id
