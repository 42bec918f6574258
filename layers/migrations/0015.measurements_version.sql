-- depends: 0014.rule_attributes
-- Measurements get a change counter like the layers (one bump per statement, not per row),
-- so answers computed from them (exceedances) are cached until the next upload.
CREATE TRIGGER measurements_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON measurements
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_version();
