-- One curated route: its names, line and stops (with their villages' coordinates), in order.
SELECT r.name_vi, r.name_en, r.geometry_method, ST_AsGeoJSON(r.geom, 7)::json,
       json_agg(json_build_object(
           'seq', s.seq, 'ref', v.ref, 'name', v.name, 'minutes', s.planned_minutes,
           'lon', ST_X(v.geom), 'lat', ST_Y(v.geom)
       ) ORDER BY s.seq)
FROM tourism_routes r
JOIN route_stops s ON s.route_id = r.id
JOIN craft_villages v ON v.id = s.village_id
WHERE r.ref = %s
GROUP BY r.id
