DROP TRIGGER IF EXISTS measurements_version ON measurements;
DELETE FROM layer_versions WHERE layer = 'measurements';
