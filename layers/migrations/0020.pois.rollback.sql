-- Rollback of 0020.pois.
DROP TABLE pois;
DROP TABLE poi_categories;
