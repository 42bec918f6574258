-- depends: 0003.admin_units
-- Craft villages, their craft vocabulary, and OCOP products.

CREATE TABLE craft_types (
    code             text PRIMARY KEY,
    name_vi          text NOT NULL,
    name_en          text NOT NULL,
    pollution_class  text NOT NULL CHECK (pollution_class IN ('high', 'medium', 'low'))
);
INSERT INTO craft_types (code, name_vi, name_en, pollution_class) VALUES
    ('ceramics',          'Gốm sứ',                 'Ceramics and pottery',        'high'),
    ('silk',              'Dệt lụa, tơ tằm',        'Silk and sericulture',        'medium'),
    ('weaving',           'Dệt, may, thổ cẩm',      'Weaving, textiles, garments', 'medium'),
    ('dyeing',            'Nhuộm',                  'Dyeing',                      'high'),
    ('embroidery',        'Thêu ren',               'Embroidery and lace',         'low'),
    ('bronze_casting',    'Đúc đồng',               'Bronze casting',              'high'),
    ('metal_working',     'Cơ kim khí, rèn',        'Metal working and forging',   'high'),
    ('metal_recycling',   'Tái chế kim loại',       'Metal recycling',             'high'),
    ('lead_recycling',    'Tái chế chì',            'Lead recycling',              'high'),
    ('plastic_recycling', 'Tái chế nhựa',           'Plastic recycling',           'high'),
    ('paper',             'Giấy',                   'Paper making and recycling',  'high'),
    ('silver_gold',       'Chạm bạc, kim hoàn',     'Silver and gold smithing',    'medium'),
    ('wood',              'Mộc, chạm khắc gỗ',      'Woodwork and carving',        'medium'),
    ('lacquer',           'Sơn mài',                'Lacquerware',                 'medium'),
    ('mother_of_pearl',   'Khảm trai',              'Mother-of-pearl inlay',       'low'),
    ('rattan_bamboo',     'Mây tre đan, cói',       'Rattan, bamboo and sedge',    'low'),
    ('conical_hat',       'Nón lá',                 'Conical hats',                'low'),
    ('stone',             'Đá mỹ nghệ',             'Stone carving',               'medium'),
    ('painting',          'Tranh dân gian',         'Folk painting',               'low'),
    ('incense',           'Hương, tăm nhang',       'Incense',                     'low'),
    ('leather',           'Da, giày',               'Leather and footwear',        'medium'),
    ('toys_crafts',       'Đồ chơi, thủ công',      'Toys and small crafts',       'low'),
    ('musical_instruments', 'Nhạc cụ, trống',       'Musical instruments, drums',  'low'),
    ('food_processing',   'Chế biến thực phẩm',     'Food processing',             'medium'),
    ('liquor',            'Nấu rượu',               'Rice liquor',                 'medium'),
    ('horticulture',      'Hoa, cây cảnh',          'Flowers and ornamental plants', 'low'),
    ('glass',             'Thủy tinh',              'Glass blowing',               'medium'),
    ('other',             'Khác',                   'Other',                       'low');

CREATE TABLE craft_villages (
    id                 serial PRIMARY KEY,
    ref                text NOT NULL UNIQUE,
    name               text NOT NULL,
    name_ascii         text NOT NULL,
    full_name          text,
    craft              text NOT NULL REFERENCES craft_types (code),
    recognition        text NOT NULL DEFAULT 'unknown' CHECK (recognition IN (
                           'traditional_craft_village', 'craft_village', 'village_with_craft', 'unknown')),
    recognition_year   smallint CHECK (recognition_year BETWEEN 1900 AND 2100),
    commune_code       text,
    commune_name       text,
    district_code      text,
    district_name      text,
    province_code      text,
    province_name      text,
    households         integer CHECK (households >= 0),
    workers            integer CHECK (workers >= 0),
    visit_minutes      smallint CHECK (visit_minutes BETWEEN 0 AND 1440),
    opening_hours      text,
    description_vi     text,
    description_en     text,
    source             text NOT NULL,
    flags              text[] NOT NULL DEFAULT '{}',
    geom               geometry(Point, 4326) NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX craft_villages_geom ON craft_villages USING gist (geom);
CREATE INDEX craft_villages_name_trgm ON craft_villages USING gin (name_ascii gin_trgm_ops);
CREATE INDEX craft_villages_craft ON craft_villages (craft);
CREATE INDEX craft_villages_province ON craft_villages (province_code);
CREATE TRIGGER craft_villages_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON craft_villages
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_version();

-- OCOP groups per Decision 148/QĐ-TTg (2023).
CREATE TABLE ocop_products (
    id          serial PRIMARY KEY,
    village_id  integer NOT NULL REFERENCES craft_villages (id) ON DELETE CASCADE,
    name        text NOT NULL,
    product_group text NOT NULL CHECK (product_group IN (
                    'food', 'beverages', 'herbal', 'textiles_garments',
                    'souvenirs_furniture_decor', 'community_tourism')),
    stars       smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
    year_rated  smallint CHECK (year_rated BETWEEN 2018 AND 2100),
    source      text NOT NULL,
    UNIQUE (village_id, name)
);
CREATE TRIGGER ocop_products_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ocop_products
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_version();
