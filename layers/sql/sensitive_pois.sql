-- The sensitive points of interest (schools, clinics...) inside a WGS 84 box
-- (%(bbox)s: west, south, east, north), in the table's SRID.
SELECT p.category, p.name, ST_AsBinary(p.geom) AS geom
FROM pois p
JOIN poi_categories c ON c.code = p.category AND c.sensitive
WHERE ST_Intersects(
        p.geom,
        ST_Transform(
          ST_MakeEnvelope(
            (%(bbox)s::float8[])[1], (%(bbox)s::float8[])[2],
            (%(bbox)s::float8[])[3], (%(bbox)s::float8[])[4], 4326
          ),
          %(srid)s
        )
      )
