-- A page of a public collection's GeoJSON Features, built by PostGIS (geometry in WGS 84),
-- with the number of features matched, in one statement. The matches are gathered once as
-- ids only (`matched`: MATERIALIZED when a bbox bounds them, then counted and paged from the
-- same rows; inlined otherwise, so that a page of a whole table stops at its end on the
-- primary key); only the page's rows are read whole and turned into JSON, and their texts
-- come back aggregated ({aggregate}) in id order. The table, the properties object, the
-- filters and the aggregate are composed with psycopg2.sql from the layer's declaration;
-- every value is a bound parameter.
WITH matched AS {materialized} (
    SELECT t.id FROM {table} t WHERE {where}
),
page AS (
    SELECT matched.id FROM matched ORDER BY matched.id LIMIT %(limit)s OFFSET %(offset)s
)
SELECT {count}, f.returned, f.features
FROM (
    SELECT count(*) AS returned, {aggregate} AS features
    FROM (
        SELECT t.id, json_build_object(
            'type', 'Feature',
            'id', t.id,
            'geometry', ST_AsGeoJSON(ST_Transform(t.geom, %(out_srid)s), 7)::json,
            'properties', {props}
        )::text AS feature
        FROM page JOIN {table} t ON t.id = page.id
    ) p
) f
