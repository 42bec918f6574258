-- Villages of the polluting classes that a relocation may move (inside a box when given).
-- {amount} is the demand column, composed as an identifier.
SELECT v.ref, v.name, v.craft, c.pollution_class, v.{amount}, v.households,
       ST_X(v.geom), ST_Y(v.geom)
FROM craft_villages v
JOIN craft_types c ON c.code = v.craft
WHERE (%(classes)s::text[] IS NULL OR c.pollution_class = ANY(%(classes)s))
  AND (
    %(bbox)s::float8[] IS NULL
    OR ST_Intersects(
         v.geom,
         ST_MakeEnvelope(
          (%(bbox)s::float8[])[1], (%(bbox)s::float8[])[2],
          (%(bbox)s::float8[])[3], (%(bbox)s::float8[])[4], %(srid)s
        )
       )
  )
ORDER BY v.ref
