-- depends: 0005.clusters
-- Monitoring stations, parameters and measurements (a long, append-mostly table sized
-- for tens of millions of rows: the primary key serves "one station, one parameter, a
-- time range"; the BRIN index serves "all stations at one time").

CREATE TABLE monitoring_stations (
    id           serial PRIMARY KEY,
    ref          text NOT NULL UNIQUE,
    name         text NOT NULL,
    name_ascii   text NOT NULL,
    medium       text NOT NULL CHECK (medium IN ('air', 'water', 'soil', 'noise')),
    operator     text,
    synthetic    boolean NOT NULL DEFAULT false,
    province_code text,
    source       text NOT NULL,
    flags        text[] NOT NULL DEFAULT '{}',
    geom         geometry(Point, 4326),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX monitoring_stations_geom ON monitoring_stations USING gist (geom);
CREATE TRIGGER monitoring_stations_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON monitoring_stations
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_version();

CREATE TABLE parameters (
    code         text PRIMARY KEY,
    medium       text NOT NULL CHECK (medium IN ('air', 'water', 'soil', 'noise')),
    name_vi      text NOT NULL,
    name_en      text NOT NULL,
    unit         text NOT NULL,
    valid_min    double precision NOT NULL,
    valid_max    double precision NOT NULL,
    molar_mass   double precision
);
INSERT INTO parameters VALUES
    ('PM2.5', 'air', 'Bụi PM2.5', 'PM2.5', 'µg/m3', 0, 1000, NULL),
    ('PM10',  'air', 'Bụi PM10',  'PM10',  'µg/m3', 0, 2000, NULL),
    ('TSP',   'air', 'Tổng bụi lơ lửng', 'Total suspended particles', 'µg/m3', 0, 5000, NULL),
    ('SO2',   'air', 'Lưu huỳnh đioxit', 'Sulphur dioxide', 'µg/m3', 0, 5000, 64.066),
    ('NO2',   'air', 'Nitơ đioxit', 'Nitrogen dioxide', 'µg/m3', 0, 5000, 46.0055),
    ('CO',    'air', 'Cacbon monoxit', 'Carbon monoxide', 'µg/m3', 0, 200000, 28.010),
    ('O3',    'air', 'Ôzôn', 'Ozone', 'µg/m3', 0, 2000, 47.997),
    ('Pb_air', 'air', 'Chì trong bụi', 'Lead in particles', 'µg/m3', 0, 100, NULL),
    ('pH',    'water', 'pH', 'pH', 'pH', 0, 14, NULL),
    ('BOD5',  'water', 'BOD5', 'BOD5', 'mg/L', 0, 2000, NULL),
    ('COD',   'water', 'COD', 'COD', 'mg/L', 0, 5000, NULL),
    ('DO',    'water', 'Ôxy hòa tan', 'Dissolved oxygen', 'mg/L', 0, 20, NULL),
    ('TSS',   'water', 'Chất rắn lơ lửng', 'Total suspended solids', 'mg/L', 0, 10000, NULL),
    ('NH4-N', 'water', 'Amoni (theo N)', 'Ammonium-N', 'mg/L', 0, 500, NULL),
    ('NO2-N', 'water', 'Nitrit (theo N)', 'Nitrite-N', 'mg/L', 0, 100, NULL),
    ('TN',    'water', 'Tổng nitơ', 'Total nitrogen', 'mg/L', 0, 1000, NULL),
    ('TP',    'water', 'Tổng phốt pho', 'Total phosphorus', 'mg/L', 0, 200, NULL),
    ('Pb',    'water', 'Chì', 'Lead', 'mg/L', 0, 100, NULL),
    ('Cd',    'water', 'Cadimi', 'Cadmium', 'mg/L', 0, 10, NULL),
    ('As',    'water', 'Asen', 'Arsenic', 'mg/L', 0, 10, NULL),
    ('Hg',    'water', 'Thủy ngân', 'Mercury', 'mg/L', 0, 1, NULL),
    ('Cr6',   'water', 'Crom (VI)', 'Chromium (VI)', 'mg/L', 0, 10, NULL),
    ('Pb_soil', 'soil', 'Chì trong đất', 'Lead in soil', 'mg/kg', 0, 100000, NULL),
    ('Cd_soil', 'soil', 'Cadimi trong đất', 'Cadmium in soil', 'mg/kg', 0, 10000, NULL),
    ('LAeq',  'noise', 'Mức âm tương đương', 'Equivalent sound level', 'dBA', 0, 160, NULL);

CREATE TABLE measurements (
    station_id    integer NOT NULL REFERENCES monitoring_stations (id) ON DELETE CASCADE,
    parameter     text NOT NULL REFERENCES parameters (code),
    observed_at   timestamptz NOT NULL,
    value         double precision NOT NULL,
    unit          text NOT NULL,
    quality_flag  text NOT NULL DEFAULT 'ok' CHECK (quality_flag IN (
                      'ok', 'negative', 'out_of_range', 'suspect', 'synthetic')),
    source        text NOT NULL,
    PRIMARY KEY (station_id, parameter, observed_at)
);
CREATE INDEX measurements_time_brin ON measurements USING brin (observed_at);
