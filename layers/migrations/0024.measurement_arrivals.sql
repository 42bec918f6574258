-- depends: 0023.scenario_notes
-- When measurements arrived, and of which parameter and period (issue 17, item 5): one row
-- per statement and parameter that inserted or changed measurements, written by statement
-- triggers from their transition tables (an upload of a month writes a few rows, not one per
-- value). Exceedance zones made from a surface are out of date once measurements of the
-- surface's parameter observed in or after its period arrive after the zones were made.
CREATE TABLE measurement_arrivals (
    id              bigserial PRIMARY KEY,
    arrived_at      timestamptz NOT NULL DEFAULT now(),
    parameter       text NOT NULL,
    first_observed  timestamptz NOT NULL,
    last_observed   timestamptz NOT NULL,
    values_count    integer NOT NULL
);
CREATE INDEX measurement_arrivals_parameter ON measurement_arrivals (parameter, arrived_at);

CREATE FUNCTION note_measurement_arrivals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO measurement_arrivals (parameter, first_observed, last_observed, values_count)
    SELECT parameter, min(observed_at), max(observed_at), count(*) FROM arrived GROUP BY parameter;
    RETURN NULL;
END
$$;

CREATE TRIGGER measurements_arrived_insert AFTER INSERT ON measurements
    REFERENCING NEW TABLE AS arrived
    FOR EACH STATEMENT EXECUTE FUNCTION note_measurement_arrivals();
CREATE TRIGGER measurements_arrived_update AFTER UPDATE ON measurements
    REFERENCING NEW TABLE AS arrived
    FOR EACH STATEMENT EXECUTE FUNCTION note_measurement_arrivals();
