-- Staged villages take the name of their province as the loaded boundaries write it, without
-- its prefix ("Tỉnh Bắc Ninh", "Bac Ninh" -> "Bắc Ninh"); returns the rows renamed.
UPDATE _stage s
SET province_name = a.base_name
FROM admin_units a
WHERE a.version = %(version)s
  AND a.level = 'province'
  AND a.code = s.province_code
  AND s.province_name IS DISTINCT FROM a.base_name
RETURNING s._row
