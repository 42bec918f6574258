-- The visitable villages of some crafts nearest to a point (a themed tour's stops).
SELECT ref, name, visit_minutes, opening_hours, ST_X(geom), ST_Y(geom)
FROM craft_villages
WHERE craft = ANY(%(crafts)s)
  AND visitable
ORDER BY ST_Distance(geom, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), %(srid)s))
LIMIT %(limit)s
