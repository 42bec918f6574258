-- depends: 0018.alert_handling
-- A cluster's area_ha is derived from its polygon on every write (insert, import, edit,
-- revert), measured in the clusters' metric CRS (UTM 48N, EPSG:32648, as
-- layers.clusters.polygon_area_ha measures it) and rounded to 0.01 ha. A stated area in an
-- import is compared with it (the area_mismatch flag) but no longer stored, so a reshaped
-- cluster cannot keep its old area.

CREATE FUNCTION industrial_clusters_area() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.area_ha := round((ST_Area(ST_Transform(NEW.geom, 32648)) / 10000.0)::numeric, 2);
    RETURN NEW;
END
$$;

CREATE TRIGGER industrial_clusters_area BEFORE INSERT OR UPDATE ON industrial_clusters
    FOR EACH ROW EXECUTE FUNCTION industrial_clusters_area();

UPDATE industrial_clusters
SET area_ha = round((ST_Area(ST_Transform(geom, 32648)) / 10000.0)::numeric, 2);
