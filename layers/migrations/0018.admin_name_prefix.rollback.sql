-- Rollback of 0018.admin_name_prefix.
ALTER TABLE admin_units DROP COLUMN name_prefix, DROP COLUMN base_name;
