-- Rollback of 0018.pois.
DROP TABLE pois;
DROP TABLE poi_categories;
