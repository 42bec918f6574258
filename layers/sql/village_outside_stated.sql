-- Flag the staged villages whose point lies outside their stated unit of one level;
-- {level}, {join} (how a unit matches the stated one) and {flag} are composed by the caller.
WITH stated AS (
    SELECT s._row, bool_or(ST_Covers(a.geom, s.geom)) AS inside
    FROM _stage s
    JOIN admin_units a ON a.version = %(version)s AND a.level = {level} AND {join}
    GROUP BY s._row
)
UPDATE _stage s
SET flags = array_append(s.flags, {flag})
FROM stated
WHERE stated._row = s._row AND NOT stated.inside
RETURNING s._row
