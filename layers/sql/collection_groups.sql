-- Counted groups of a point collection in one tile (layers.collections.group_tile): the tile
-- (x0, y0 its north-west corner in Web Mercator, side metres wide) is cut into squares of cell
-- metres; each square with features gives how many, their mean position in WGS 84, counts by
-- the asked properties ({by}: by1, by2..., nested by {counts}) and, for a lone feature, its id
-- and tile properties ({one}).
-- A point on a tile's edge belongs to the tile east / south of it only (half-open squares).
WITH t AS MATERIALIZED (
    SELECT t.id, {by}, ST_Transform(t.geom, %(mercator)s) AS m
    FROM {table} t
    WHERE t.geom && ST_Transform(ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, %(wgs84)s), %(srid)s)
),
square AS (
    SELECT floor((ST_X(m) - %(x0)s) / %(cell)s)::int AS cx,
           floor((%(y0)s - ST_Y(m)) / %(cell)s)::int AS cy,
           id, {by_names}, ST_X(m) AS mx, ST_Y(m) AS my
    FROM t
    WHERE ST_X(m) >= %(x0)s AND ST_X(m) < %(x0)s + %(side)s
      AND ST_Y(m) <= %(y0)s AND ST_Y(m) > %(y0)s - %(side)s
),
counts AS (
    {counts}
),
groups AS (
    SELECT cx, cy, count(*) AS n, avg(mx) AS mx, avg(my) AS my, min(id) AS first
    FROM square
    GROUP BY cx, cy
)
SELECT g.n,
       ST_X(ST_Transform(ST_SetSRID(ST_MakePoint(g.mx, g.my), %(mercator)s), %(wgs84)s)),
       ST_Y(ST_Transform(ST_SetSRID(ST_MakePoint(g.mx, g.my), %(mercator)s), %(wgs84)s)),
       c.by,
       CASE WHEN g.n = 1 THEN
           (SELECT jsonb_build_object('id', t.id{one}) FROM {table} t WHERE t.id = g.first)
       END
FROM groups g JOIN counts c USING (cx, cy)
ORDER BY g.cy, g.cx
