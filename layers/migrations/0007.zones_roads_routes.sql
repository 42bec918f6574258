-- depends: 0006.monitoring
-- Pollution zones, the road network (ready for pgRouting), tourism routes.

CREATE TABLE pollution_zones (
    id           serial PRIMARY KEY,
    ref          text NOT NULL UNIQUE,
    name         text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('surface_exceedance', 'source_buffer', 'observed')),
    parameter    text REFERENCES parameters (code),
    method       text NOT NULL,
    zone_date    date NOT NULL,
    severity     text CHECK (severity IN ('high', 'medium', 'low')),
    village_id   integer REFERENCES craft_villages (id) ON DELETE SET NULL,
    source       text NOT NULL,
    geom         geometry(MultiPolygon, 4326) NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pollution_zones_geom ON pollution_zones USING gist (geom);
CREATE INDEX pollution_zones_date ON pollution_zones (zone_date);
CREATE TRIGGER pollution_zones_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pollution_zones
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_version();

CREATE TABLE road_nodes (
    id       bigint PRIMARY KEY,
    osm_id   bigint,
    geom     geometry(Point, 4326) NOT NULL
);
CREATE INDEX road_nodes_geom ON road_nodes USING gist (geom);

CREATE TABLE roads (
    id              bigserial PRIMARY KEY,
    network         text NOT NULL DEFAULT 'default',
    source          bigint NOT NULL REFERENCES road_nodes (id),
    target          bigint NOT NULL REFERENCES road_nodes (id),
    osm_id          bigint,
    name            text,
    highway         text,
    oneway          boolean NOT NULL DEFAULT false,
    maxspeed_kmh    real,
    length_m        double precision NOT NULL CHECK (length_m >= 0),
    cost            double precision NOT NULL,
    reverse_cost    double precision NOT NULL,
    geom            geometry(LineString, 4326) NOT NULL
);
CREATE INDEX roads_geom ON roads USING gist (geom);
CREATE INDEX roads_source ON roads (source);
CREATE INDEX roads_target ON roads (target);
CREATE TRIGGER roads_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON roads
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_version();

CREATE TABLE tourism_routes (
    id              serial PRIMARY KEY,
    ref             text NOT NULL UNIQUE,
    name_vi         text NOT NULL,
    name_en         text NOT NULL,
    name_ascii      text NOT NULL,
    theme           text NOT NULL,
    description_vi  text,
    description_en  text,
    geometry_method text NOT NULL DEFAULT 'straight_line'
                    CHECK (geometry_method IN ('straight_line', 'network')),
    source          text NOT NULL,
    geom            geometry(LineString, 4326),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tourism_routes_geom ON tourism_routes USING gist (geom);
CREATE TABLE route_stops (
    route_id        integer NOT NULL REFERENCES tourism_routes (id) ON DELETE CASCADE,
    seq             smallint NOT NULL CHECK (seq >= 1),
    village_id      integer NOT NULL REFERENCES craft_villages (id) ON DELETE RESTRICT,
    planned_minutes smallint CHECK (planned_minutes BETWEEN 0 AND 1440),
    PRIMARY KEY (route_id, seq)
);
CREATE TRIGGER tourism_routes_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tourism_routes
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_version();
