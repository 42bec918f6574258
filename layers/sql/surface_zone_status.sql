-- The exceedance zones of the latest surfaces, each with its surface's parameter and period
-- start, when the zones were made and the latest arrival of that parameter's measurements
-- observed in or after the period (NULL: none arrived after the zones were made).
WITH made AS (
    SELECT (z.source::jsonb ->> 'scenario')::int AS scenario, max(z.zone_date) AS zone_date,
           count(*) AS zones, min(z.updated_at) AS made_at
    FROM pollution_zones z
    WHERE z.kind = 'surface_exceedance' AND z.source ~ '^\s*\{.*"scenario"\s*:\s*[0-9]+'
    GROUP BY 1
    ORDER BY 1 DESC
    LIMIT %(surfaces)s
), surfaces AS (
    SELECT m.*, s.params ->> 'parameter' AS parameter,
           CASE WHEN coalesce(s.params ->> 'start', 'None') IN ('None', '') THEN NULL
                ELSE (s.params ->> 'start')::timestamptz END AS start
    FROM made m JOIN scenarios s ON s.id = m.scenario
)
SELECT f.scenario, f.parameter, f.start, f.zone_date, f.zones, f.made_at,
       (SELECT max(a.arrived_at) FROM measurement_arrivals a
        WHERE a.parameter = f.parameter AND a.arrived_at > f.made_at
          AND (f.start IS NULL OR a.last_observed >= f.start)) AS changed_at
FROM surfaces f
ORDER BY f.scenario DESC
