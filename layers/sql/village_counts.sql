-- The administrative units of one version and level as a GeoJSON FeatureCollection (text),
-- each with its number of craft villages; boundaries simplified for the map.
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(json_build_object(
        'type', 'Feature',
        'id', a.id,
        'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(a.geom, 0.0005), 6)::json,
        'properties', json_build_object(
            'code', a.code,
            'name', a.name,
            'villages', (SELECT count(*) FROM craft_villages v WHERE ST_Covers(a.geom, v.geom))
        )
    )), '[]'::json)
)::text
FROM admin_units a
WHERE a.version = %(version)s AND a.level = %(level)s
