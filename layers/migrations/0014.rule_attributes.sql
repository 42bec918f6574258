-- depends: 0013.accounts
-- Attributes the corrected rules need (issue 12): craft-village recognition (Decree
-- 52/2018/NĐ-CP Art. 5: the `recognition` column is the status; here its date, deciding
-- document and the facts the criteria are checked on), a cluster's industrial land
-- (Decree 32/2024 occupancy and craft-village share), a water station's water body (QCVN
-- 08 river table vs lakes; QCVN 40 Kq) and a discharge's facility dates (QCVN 40:2011 ->
-- 2025 transition), and the parameters of the added limit tables.

ALTER TABLE craft_villages
    ADD COLUMN recognition_date      date,
    ADD COLUMN recognition_decision  text,
    ADD COLUMN craft_households      integer CHECK (craft_households >= 0),
    ADD COLUMN production_since_year smallint CHECK (production_since_year BETWEEN 1000 AND 2100),
    ADD COLUMN craft_since_year      smallint CHECK (craft_since_year BETWEEN 1000 AND 2100);

ALTER TABLE industrial_clusters
    ADD COLUMN industrial_land_ha numeric(8, 2) CHECK (industrial_land_ha >= 0);

ALTER TABLE monitoring_stations
    ADD COLUMN water_body text CHECK (water_body IN (
        'river', 'stream', 'canal', 'lake', 'pond', 'reservoir', 'sea')),
    ADD COLUMN facility_commissioned date,
    ADD COLUMN facility_eia_approved date,
    ADD COLUMN facility_craft text REFERENCES craft_types (code);

INSERT INTO parameters VALUES
    ('HF',       'air', 'Hydro florua', 'Hydrogen fluoride', 'µg/m3', 0, 10000, 20.006),
    ('NH3',      'air', 'Amoniac', 'Ammonia', 'µg/m3', 0, 100000, 17.031),
    ('H2S',      'air', 'Hydro sunfua', 'Hydrogen sulphide', 'µg/m3', 0, 100000, 34.08),
    ('Cd_air',   'air', 'Cadimi trong bụi', 'Cadmium in particles', 'µg/m3', 0, 100, NULL),
    ('Cr6_air',  'air', 'Crom (VI) trong bụi', 'Chromium (VI) in particles', 'µg/m3', 0, 100, NULL),
    ('benzene',  'air', 'Benzen', 'Benzene', 'µg/m3', 0, 100000, 78.11),
    ('toluene',  'air', 'Toluen', 'Toluene', 'µg/m3', 0, 100000, 92.14),
    ('xylene',   'air', 'Xylen', 'Xylene', 'µg/m3', 0, 100000, 106.16),
    ('TOC',      'water', 'Tổng cacbon hữu cơ', 'Total organic carbon', 'mg/L', 0, 5000, NULL),
    ('coliform', 'water', 'Tổng coliform', 'Total coliform', 'MPN/100mL', 0, 1e9, NULL),
    ('coliform_heat', 'water', 'Coliform chịu nhiệt', 'Heat-resistant coliform', 'MPN/100mL', 0, 1e9, NULL),
    ('oil_grease', 'water', 'Dầu mỡ', 'Oil and grease', 'mg/L', 0, 1000, NULL),
    ('Cl',       'water', 'Clorua', 'Chloride', 'mg/L', 0, 100000, NULL),
    ('F',        'water', 'Florua', 'Fluoride', 'mg/L', 0, 1000, NULL),
    ('CN',       'water', 'Xyanua', 'Cyanide', 'mg/L', 0, 100, NULL),
    ('Cr',       'water', 'Tổng crom', 'Total chromium', 'mg/L', 0, 100, NULL),
    ('Cu',       'water', 'Đồng', 'Copper', 'mg/L', 0, 100, NULL),
    ('Zn',       'water', 'Kẽm', 'Zinc', 'mg/L', 0, 100, NULL),
    ('Ni',       'water', 'Niken', 'Nickel', 'mg/L', 0, 100, NULL),
    ('Mn',       'water', 'Mangan', 'Manganese', 'mg/L', 0, 100, NULL),
    ('Fe',       'water', 'Sắt', 'Iron', 'mg/L', 0, 1000, NULL),
    ('Sb',       'water', 'Antimon', 'Antimony', 'mg/L', 0, 100, NULL),
    ('surfactants', 'water', 'Chất hoạt động bề mặt anion', 'Anionic surfactants', 'mg/L', 0, 1000, NULL),
    ('phenol',   'water', 'Tổng phenol', 'Total phenol', 'mg/L', 0, 100, NULL),
    ('PCBs',     'water', 'Tổng PCB', 'Total PCBs', 'mg/L', 0, 10, NULL),
    ('benzene_water', 'water', 'Benzen trong nước', 'Benzene in water', 'mg/L', 0, 100, NULL),
    ('formaldehyde', 'water', 'Formaldehyt', 'Formaldehyde', 'mg/L', 0, 1000, NULL)
ON CONFLICT (code) DO NOTHING;
