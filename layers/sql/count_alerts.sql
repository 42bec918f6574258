-- How many alerts match the filters of find_alerts.sql.
SELECT count(*)
FROM alerts a
WHERE (%(status)s::text IS NULL OR a.status = %(status)s)
  AND (%(rule_id)s::int IS NULL OR a.rule_id = %(rule_id)s)
  AND (%(station)s::text IS NULL OR a.station_ref = %(station)s)
  AND (%(since)s::timestamptz IS NULL OR a.started_at >= %(since)s)
  AND (%(until)s::timestamptz IS NULL OR a.started_at < %(until)s)
