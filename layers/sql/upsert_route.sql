-- One curated route by ref (its stops are written next); returns its id.
INSERT INTO tourism_routes
    (ref, name_vi, name_en, name_ascii, theme, description_vi, description_en, source)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (ref) DO UPDATE
SET name_vi = EXCLUDED.name_vi,
    name_en = EXCLUDED.name_en,
    name_ascii = EXCLUDED.name_ascii,
    theme = EXCLUDED.theme,
    description_vi = EXCLUDED.description_vi,
    description_en = EXCLUDED.description_en,
    source = EXCLUDED.source,
    updated_at = now()
RETURNING id
