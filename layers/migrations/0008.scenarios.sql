-- depends: 0007.zones_roads_routes
-- Saved analysis runs, their vector results, and the raster catalogue (COGs on disk).

CREATE TABLE scenarios (
    id              serial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('siting', 'allocation', 'compliance',
                                                  'surface', 'zones', 'exposure', 'tour')),
    name            text NOT NULL,
    params          jsonb NOT NULL DEFAULT '{}',
    input_versions  jsonb NOT NULL DEFAULT '{}',
    results         jsonb NOT NULL DEFAULT '{}',
    created_by      text NOT NULL DEFAULT 'system',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE scenario_features (
    id           bigserial PRIMARY KEY,
    scenario_id  integer NOT NULL REFERENCES scenarios (id) ON DELETE CASCADE,
    role         text NOT NULL,
    properties   jsonb NOT NULL DEFAULT '{}',
    geom         geometry(Geometry, 4326) NOT NULL
);
CREATE INDEX scenario_features_geom ON scenario_features USING gist (geom);
CREATE INDEX scenario_features_scenario ON scenario_features (scenario_id, role);

CREATE TABLE rasters (
    id           serial PRIMARY KEY,
    scenario_id  integer REFERENCES scenarios (id) ON DELETE CASCADE,
    kind         text NOT NULL,
    path         text NOT NULL UNIQUE,
    epsg         integer NOT NULL,
    cell_size_m  double precision NOT NULL CHECK (cell_size_m > 0),
    created_at   timestamptz NOT NULL DEFAULT now()
);
