-- depends: 0002.core
-- Administrative units in dated versions: the pre-2025 three levels (province,
-- district, commune) and the two levels in force since 1 July 2025 (province, commune).

CREATE TABLE admin_versions (
    version      text PRIMARY KEY,
    valid_from   date,
    valid_to     date,
    levels       text[] NOT NULL,
    description  text NOT NULL
);
INSERT INTO admin_versions VALUES
    ('pre-2025', NULL, '2025-06-30', '{province,district,commune}',
     '63 provinces, districts and communes before the 2025 reform'),
    ('2025-07', '2025-07-01', NULL, '{province,commune}',
     '34 provinces and communes/wards, no district level (Resolution 202/2025/QH15)');

CREATE TABLE admin_units (
    id           serial PRIMARY KEY,
    version      text NOT NULL REFERENCES admin_versions (version),
    level        text NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    code         text NOT NULL,
    name         text NOT NULL,
    name_ascii   text NOT NULL,
    name_key     text NOT NULL,
    parent_code  text,
    population   integer CHECK (population >= 0),
    source       text NOT NULL,
    geom         geometry(MultiPolygon, 4326) NOT NULL,
    UNIQUE (version, level, code)
);
CREATE INDEX admin_units_geom ON admin_units USING gist (geom);
CREATE INDEX admin_units_key ON admin_units (version, level, name_key);
CREATE TRIGGER admin_units_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON admin_units
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_version();
