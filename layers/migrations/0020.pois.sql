-- depends: 0020.admin_name_prefix
-- Points of interest (issue 14, item 5): schools, health posts, markets, bus stops, temples,
-- car parks... with a category vocabulary. Exposure counts the sensitive ones (schools,
-- clinics); the tourist page shows the visitor ones (parking, stops) near the villages.
-- osm_values: the OpenStreetMap / Geofabrik values (amenity, shop, highway, fclass) an
-- import maps to the category.

CREATE TABLE poi_categories (
    code        text PRIMARY KEY,
    name_vi     text NOT NULL,
    name_en     text NOT NULL,
    sensitive   boolean NOT NULL DEFAULT false,
    visitor     boolean NOT NULL DEFAULT false,
    osm_values  text[] NOT NULL DEFAULT '{}'
);
INSERT INTO poi_categories (code, name_vi, name_en, sensitive, visitor, osm_values) VALUES
    ('kindergarten', 'Trường mầm non',          'Kindergarten',            true,  false, '{kindergarten,childcare}'),
    ('school',       'Trường học',              'School',                  true,  false, '{school}'),
    ('university',   'Trường đại học, cao đẳng', 'University or college',  true,  false, '{university,college}'),
    ('hospital',     'Bệnh viện',               'Hospital',                true,  false, '{hospital}'),
    ('clinic',       'Trạm y tế, phòng khám',   'Health post or clinic',   true,  false, '{clinic,doctors,dentist,health_post}'),
    ('pharmacy',     'Nhà thuốc',               'Pharmacy',                false, false, '{pharmacy,chemist}'),
    ('market',       'Chợ',                     'Market',                  false, true,  '{marketplace,market}'),
    ('bus_stop',     'Điểm dừng xe buýt',       'Bus stop',                false, true,  '{bus_stop,platform}'),
    ('bus_station',  'Bến xe',                  'Bus station',             false, true,  '{bus_station}'),
    ('parking',      'Bãi đỗ xe',               'Car park',                false, true,  '{parking,parking_multistorey,parking_underground}'),
    ('temple',       'Đình, chùa, đền',         'Temple or pagoda',        false, true,  '{buddhist,place_of_worship,hindu,taoist,temple}'),
    ('church',       'Nhà thờ',                 'Church',                  false, true,  '{christian,christian_catholic,christian_protestant,church}'),
    ('museum',       'Bảo tàng',                'Museum',                  false, true,  '{museum}'),
    ('toilet',       'Nhà vệ sinh công cộng',   'Public toilet',           false, true,  '{toilet,toilets}'),
    ('tourist_info', 'Thông tin du lịch',       'Tourist information',     false, true,  '{tourist_info,information}'),
    ('ferry',        'Bến phà, bến thuyền',     'Ferry or boat pier',      false, true,  '{ferry_terminal}');

CREATE TABLE pois (
    id          serial PRIMARY KEY,
    ref         text NOT NULL UNIQUE,
    name        text,
    name_ascii  text,
    category    text NOT NULL REFERENCES poi_categories (code),
    source      text NOT NULL,
    geom        geometry(Point, 4326) NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pois_geom ON pois USING gist (geom);
CREATE INDEX pois_category ON pois (category);
CREATE TRIGGER pois_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pois
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_version();
