-- Staged points of interest take the category whose code or OSM values hold what the file
-- says; returns the rows (and the value) the vocabulary does not know.
UPDATE _stage s
SET category = c.code
FROM poi_categories c
WHERE s._category = c.code OR s._category = ANY (c.osm_values);
SELECT _row, _category FROM _stage WHERE category IS NULL AND _category IS NOT NULL ORDER BY _row
