-- Rollback of 0020.admin_name_prefix.
ALTER TABLE admin_units DROP COLUMN name_prefix, DROP COLUMN base_name;
