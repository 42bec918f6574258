-- Rollback of 0019.cluster_area: area_ha becomes a plain stored value again (kept as measured).
DROP TRIGGER industrial_clusters_area ON industrial_clusters;
DROP FUNCTION industrial_clusters_area();
