-- Rollback of 0014.rule_attributes: the added parameters go only if no measurement uses them.
DELETE FROM parameters p WHERE code IN (
    'HF', 'NH3', 'H2S', 'Cd_air', 'Cr6_air', 'benzene', 'toluene', 'xylene', 'TOC', 'coliform',
    'coliform_heat', 'oil_grease', 'Cl', 'F', 'CN', 'Cr', 'Cu', 'Zn', 'Ni', 'Mn', 'Fe', 'Sb',
    'surfactants', 'phenol', 'PCBs', 'benzene_water', 'formaldehyde')
    AND NOT EXISTS (SELECT 1 FROM measurements m WHERE m.parameter = p.code);
ALTER TABLE monitoring_stations
    DROP COLUMN facility_craft, DROP COLUMN facility_eia_approved,
    DROP COLUMN facility_commissioned, DROP COLUMN water_body;
ALTER TABLE industrial_clusters DROP COLUMN industrial_land_ha;
ALTER TABLE craft_villages
    DROP COLUMN craft_since_year, DROP COLUMN production_since_year, DROP COLUMN craft_households,
    DROP COLUMN recognition_decision, DROP COLUMN recognition_date;
