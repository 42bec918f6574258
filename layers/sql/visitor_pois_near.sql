-- Visitor points of interest (parking, bus stops...) within %(within_m)s metres of each
-- given lon/lat point (its index in the lists: near), at most %(limit)s per point and
-- category, nearest first.
WITH pts AS (
    SELECT u.ord - 1 AS near,
           ST_Transform(ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), %(srid)s) AS pt
    FROM unnest(%(lons)s::float8[], %(lats)s::float8[]) WITH ORDINALITY AS u (lon, lat, ord)
), near AS (
    SELECT pts.near, p.ref, p.name, p.category, c.name_vi, c.name_en, p.geom,
           ST_Distance(p.geom::geography, pts.pt::geography) AS distance_m
    FROM pts
    JOIN pois p ON ST_DWithin(p.geom::geography, pts.pt::geography, %(within_m)s)
    JOIN poi_categories c ON c.code = p.category AND c.visitor
), ranked AS (
    SELECT near.*, row_number() OVER (PARTITION BY near, category ORDER BY distance_m) AS rank
    FROM near
)
SELECT near, ref, name, category, name_vi, name_en, round(distance_m::numeric, 0)::float8,
       ST_X(ST_Transform(geom, 4326)), ST_Y(ST_Transform(geom, 4326))
FROM ranked WHERE rank <= %(limit)s ORDER BY near, distance_m
