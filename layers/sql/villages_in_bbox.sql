-- Villages inside a lon/lat box; only the high and medium pollution classes when asked.
SELECT v.ref, v.name, ST_AsBinary(v.geom) AS geom
FROM craft_villages v
LEFT JOIN craft_types c ON c.code = v.craft
WHERE ST_Intersects(
        v.geom,
        ST_MakeEnvelope(
          (%(bbox)s::float8[])[1], (%(bbox)s::float8[])[2],
          (%(bbox)s::float8[])[3], (%(bbox)s::float8[])[4], %(srid)s
        )
      )
  AND (NOT %(polluting)s OR c.pollution_class IN ('high', 'medium'))
