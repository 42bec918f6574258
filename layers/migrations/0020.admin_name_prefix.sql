-- depends: 0019.cluster_area
-- Administrative unit names normalised (issue 14, item 3): the prefix that says the unit's
-- kind ("Tỉnh", "Thành phố", "Phường"...) is kept as a field, and the name without it is
-- what other layers match and show ("Tỉnh Bắc Ninh" and "Bắc Ninh" are one province).

ALTER TABLE admin_units ADD COLUMN name_prefix text, ADD COLUMN base_name text;
UPDATE admin_units
SET name_prefix = substring(name FROM '^(Thành phố|Tỉnh|Quận|Huyện|Thị xã|Thị trấn|Phường|Xã|Đặc khu)\s'),
    base_name = regexp_replace(name, '^(Thành phố|Tỉnh|Quận|Huyện|Thị xã|Thị trấn|Phường|Xã|Đặc khu)\s+', '');
ALTER TABLE admin_units ALTER COLUMN base_name SET NOT NULL;
