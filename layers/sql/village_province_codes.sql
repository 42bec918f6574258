-- Staged villages without a province code take the code of the province named in the file.
UPDATE _stage s
SET province_code = a.code
FROM admin_units a
WHERE s.province_code IS NULL
  AND a.version = %(version)s
  AND a.level = 'province'
  AND a.name_key = s._province_key
