-- Saved pollution surfaces with their raster, oldest period first (one parameter when given).
SELECT s.id, s.params, s.results, r.path
FROM scenarios s
JOIN rasters r ON r.scenario_id = s.id
WHERE s.kind = 'surface'
  AND r.kind = 'surface'
  AND (%(parameter)s::text IS NULL OR s.params->>'parameter' = %(parameter)s)
ORDER BY s.params->>'start', s.id
