-- depends: 0009.road_networks
-- Alert rules (a parameter above a threshold, or the hourly VN_AQI at or above a level,
-- for at least N hours) and the alerts they produced.
CREATE TABLE alert_rules (
    id              serial PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    parameter       text REFERENCES parameters (code),
    threshold       double precision,
    aqi_at_least    smallint CHECK (aqi_at_least BETWEEN 0 AND 500),
    min_hours       smallint NOT NULL DEFAULT 1 CHECK (min_hours BETWEEN 1 AND 720),
    station_ref     text,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((parameter IS NOT NULL AND threshold IS NOT NULL AND aqi_at_least IS NULL)
           OR (parameter IS NULL AND threshold IS NULL AND aqi_at_least IS NOT NULL))
);
CREATE TABLE alerts (
    id          bigserial PRIMARY KEY,
    rule_id     integer NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    station_ref text NOT NULL,
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz NOT NULL,
    hours       integer NOT NULL,
    peak        double precision NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (rule_id, station_ref, started_at)
);
CREATE INDEX alerts_started ON alerts (started_at DESC);
