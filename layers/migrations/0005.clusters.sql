-- depends: 0004.villages
-- Industrial clusters (cụm công nghiệp, Decree 32/2024/NĐ-CP).

CREATE TABLE industrial_clusters (
    id                       serial PRIMARY KEY,
    ref                      text NOT NULL UNIQUE,
    name                     text NOT NULL,
    name_ascii               text NOT NULL,
    kind                     text NOT NULL CHECK (kind IN ('general', 'craft_village')),
    status                   text NOT NULL CHECK (status IN ('planned', 'operating', 'expanding')),
    area_ha                  numeric(8, 2) CHECK (area_ha > 0),
    occupancy_pct            numeric(5, 2) CHECK (occupancy_pct BETWEEN 0 AND 100),
    wastewater_treatment     boolean,
    craft_land_share_pct     numeric(5, 2) CHECK (craft_land_share_pct BETWEEN 0 AND 100),
    service_land_share_pct   numeric(5, 2) CHECK (service_land_share_pct BETWEEN 0 AND 100),
    mountainous              boolean NOT NULL DEFAULT false,
    established_year         smallint CHECK (established_year BETWEEN 1980 AND 2100),
    commune_name             text,
    district_name            text,
    province_code            text,
    province_name            text,
    source                   text NOT NULL,
    flags                    text[] NOT NULL DEFAULT '{}',
    geom                     geometry(MultiPolygon, 4326) NOT NULL,
    updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX industrial_clusters_geom ON industrial_clusters USING gist (geom);
CREATE TRIGGER industrial_clusters_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON industrial_clusters
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_version();
