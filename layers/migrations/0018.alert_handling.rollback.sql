-- Rollback of 0018.alert_handling.
ALTER TABLE alert_rules DROP COLUMN updated_at;
DROP INDEX alerts_status_started;
ALTER TABLE alerts DROP COLUMN handled_at, DROP COLUMN handled_by, DROP COLUMN note,
    DROP COLUMN status;
