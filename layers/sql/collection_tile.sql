-- One Mapbox Vector Tile of a public collection, and the change counter of its table read in
-- the same statement (so from the same snapshot: a tile is never labelled with a version its
-- data does not have). The table, the tile geometry expression and the property columns are
-- composed with psycopg2.sql from the layer's declaration; the tile box comes in WGS 84 and
-- is transformed to the table's declared SRID.
-- The index scan is planned apart from the per-row MVT functions (MATERIALIZED): with them in
-- one plan PostgreSQL prefers a parallel sequential scan of the whole table. It reads only the
-- columns the tile carries.
WITH t AS MATERIALIZED (
    SELECT t.id, t.geom{columns} FROM {table} t
    WHERE t.geom && ST_Transform(ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, %(wgs84)s), %(srid)s)
      AND %(z)s >= %(minz)s
    LIMIT %(cap)s
),
mvt AS (
    SELECT t.id, ST_AsMVTGeom({geom}, ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4096, 64, true)
        AS geom{columns}
    FROM t
)
SELECT coalesce((SELECT v.version FROM layer_versions v WHERE v.layer = %(table)s), 0),
    (SELECT ST_AsMVT(mvt.*, %(layer)s, 4096, 'geom', 'id') FROM mvt WHERE geom IS NOT NULL)
