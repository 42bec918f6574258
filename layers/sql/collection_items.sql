-- The GeoJSON Features of a public collection, built by PostGIS (geometry in WGS 84). The
-- table, the properties object and the filters are composed with psycopg2.sql from the
-- layer's declaration; every value is a bound parameter.
SELECT json_build_object(
    'type', 'Feature',
    'id', t.id,
    'geometry', ST_AsGeoJSON(ST_Transform(t.geom, %(out_srid)s), 7)::json,
    'properties', {props}
)::text
FROM {table} t
WHERE {where}
ORDER BY t.id
LIMIT %(limit)s OFFSET %(offset)s
