DROP TRIGGER IF EXISTS measurements_arrived_update ON measurements;
DROP TRIGGER IF EXISTS measurements_arrived_insert ON measurements;
DROP FUNCTION IF EXISTS note_measurement_arrivals();
DROP TABLE IF EXISTS measurement_arrivals;
