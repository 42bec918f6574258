-- Pairs of a staged row and a stored feature of the same layer under another natural key,
-- closer than %(distance_m)s metres, nearest first. Staged rows whose key is stored already
-- update their own feature and are left out. {table}, the name and province columns (or NULL), the
-- key columns and {same} (extra equal columns) are composed by the caller from the
-- layer's declaration.
SELECT s._row, s.{name}, {code}, {pname},
       t.id, {stored_key}, t.{name}, {tcode}, {tpname},
       ST_Distance(s.geom::geography, t.geom::geography) AS distance_m
FROM _stage s
JOIN {table} t
  ON ST_DWithin(s.geom::geography, t.geom::geography, %(distance_m)s)
 AND ({tkey}) IS DISTINCT FROM ({skey}){same}
WHERE s.geom IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM {table} o WHERE ({key}) = ({skey}))
ORDER BY s._row, distance_m
