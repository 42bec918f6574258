"""OGC API - Features and vector tiles through the Flask client (real PostGIS behind it)."""

from __future__ import annotations

import json
import time

import pytest
from openapi_spec_validator import validate

from gis.db import connect

pytestmark = pytest.mark.postgis


def test_landing_conformance_and_collections(client):
    landing = client.get("/", headers={"Accept": "application/json"})
    assert landing.status_code == 200 and landing.content_type == "application/json"
    rels = {link["rel"] for link in landing.get_json()["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    assert "conf/geojson" in " ".join(client.get("/conformance").get_json()["conformsTo"])
    collections = client.get("/collections").get_json()["collections"]
    assert [c["id"] for c in collections] == [
        "villages",
        "clusters",
        "stations",
        "zones",
        "pois",
        "routes",
        "admin-units",
    ]
    villages = client.get("/collections/villages").get_json()
    west, south, east, north = villages["extent"]["spatial"]["bbox"][0]
    assert 102 < west < east < 110 and 8 < south < north < 24


def test_titles_follow_the_language(client):
    english = client.get(
        "/collections/villages", headers={"Accept-Language": "en-US,en;q=0.9"}
    ).get_json()
    assert english["title"] == "Craft villages"
    chosen = client.get(
        "/collections/villages?lang=vi", headers={"Accept-Language": "en"}
    ).get_json()
    assert chosen["title"] == "Làng nghề"
    remembered = client.get("/collections/villages", headers={"Accept-Language": "en"}).get_json()
    assert remembered["title"] == "Làng nghề"  # the lang cookie wins over the header


def test_paging_reads_every_feature_once(client):
    seen, url, pages = [], "/collections/villages/items?limit=7", 0
    while url:
        page = client.get(url)
        assert page.status_code == 200 and page.content_type == "application/geo+json"
        body = page.get_json()
        assert body["numberMatched"] == 50 and body["numberReturned"] == len(body["features"])
        seen += [f["id"] for f in body["features"]]
        nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
        url = nxt[0].replace("http://localhost", "") if nxt else None
        pages += 1
    assert pages == 8 and len(seen) == 50 == len(set(seen))


def test_default_limit_bbox_and_property_filters(client):
    assert (
        client.get("/collections/villages/items").get_json()["numberReturned"] == 10
    )  # the configured default
    bac_ninh = client.get(
        "/collections/villages/items?bbox=105.85,21.0,106.3,21.25&limit=100"
    ).get_json()
    names = {f["properties"]["name"] for f in bac_ninh["features"]}
    assert {"Đồng Kỵ", "Phù Lãng", "Mẫn Xá"} <= names and "Bát Tràng" not in names
    ceramics = client.get("/collections/villages/items?craft=ceramics&limit=100").get_json()
    assert ceramics["numberMatched"] == len(ceramics["features"]) >= 5
    assert {f["properties"]["craft"] for f in ceramics["features"]} == {"ceramics"}
    both = client.get("/collections/villages/items?craft=ceramics&province_code=27").get_json()
    assert [f["properties"]["name"] for f in both["features"]] == ["Phù Lãng"]
    craft_clusters = client.get(
        "/collections/clusters/items?kind=craft_village&wastewater_treatment=true"
    ).get_json()
    assert craft_clusters["numberMatched"] >= 1
    assert all(f["properties"]["wastewater_treatment"] for f in craft_clusters["features"])


def test_datetime_filters_zones(client, web_settings):
    conn = connect(web_settings)
    with conn.cursor() as cur:
        for ref, day in (("Z-OLD", "2025-01-15"), ("Z-NEW", "2026-06-01")):
            cur.execute(
                "INSERT INTO pollution_zones (ref, name, kind, method, zone_date, source, geom) "
                "VALUES "
                "(%s, %s, 'source_buffer', 'test', %s, 'test', ST_Multi(ST_Buffer(ST_SetSRID("
                "ST_MakePoint(105.92, 21.12), 4326), 0.01)))",
                (ref, ref, day),
            )
    conn.commit()
    try:

        def refs(query):
            return [
                f["properties"]["ref"]
                for f in client.get("/collections/zones/items" + query).get_json()["features"]
            ]

        assert refs("?datetime=2026-01-01/..") == ["Z-NEW"]
        assert refs("?datetime=../2025-12-31") == ["Z-OLD"]
        assert refs("?datetime=2025-01-15") == ["Z-OLD"]
        assert len(refs("")) == 2
    finally:
        with conn.cursor() as cur:
            cur.execute("DELETE FROM pollution_zones WHERE ref IN ('Z-OLD', 'Z-NEW')")
        conn.commit()
        conn.close()


def test_single_feature_and_missing_one(client):
    first = client.get("/collections/villages/items?limit=1").get_json()["features"][0]
    one = client.get(f"/collections/villages/items/{first['id']}")
    assert one.status_code == 200 and one.content_type == "application/geo+json"
    body = one.get_json()
    assert body["id"] == first["id"] and body["geometry"]["type"] == "Point"
    assert {link["rel"] for link in body["links"]} == {"self", "collection"}
    assert client.get("/collections/villages/items/999999").status_code == 404
    ocop = [
        f for f in client.get("/collections/villages/items?ref=HN-BAT-TRANG").get_json()["features"]
    ][0]
    assert ocop["properties"]["ocop"][0]["stars"] == 5


def test_openapi_is_valid_and_self_contained(client):
    response = client.get("/api")
    assert response.content_type.startswith("application/vnd.oai.openapi+json")
    doc = response.get_json()
    validate(doc)
    refs = []

    def walk(node):
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    assert refs and all(r.startswith("#/") for r in refs)
    assert "/collections/villages/items" in doc["paths"]


BAD = [
    "/collections/villages/items?bbox=106,21,105,20",
    "/collections/villages/items?bbox=-200,10,105,20",
    "/collections/villages/items?bbox=100,-95,105,20",
    "/collections/villages/items?bbox=1,2,3",
    "/collections/villages/items?bbox=a,b,c,d",
    "/collections/villages/items?bbox=nan,1,2,3",
    "/collections/villages/items?limit=0",
    "/collections/villages/items?limit=1000000000",
    "/collections/villages/items?limit=ten",
    "/collections/villages/items?offset=-1",
    "/collections/villages/items?households=many",
    "/collections/villages/items?nosuchproperty=1",
    "/collections/zones/items?datetime=yesterday",
    "/collections/zones/items?datetime=2026-02-01/2026-01-01",
    "/collections/nosuch/items",
    "/collections/villages/items/abc",
    "/tiles/villages/40/0/0.pbf",
    "/tiles/villages/3/8/0.pbf",
    "/tiles/nosuch/1/0/0.pbf",
]


@pytest.mark.parametrize("url", BAD)
def test_bad_parameters_get_a_clear_4xx(client, url):
    response = client.get(url)
    assert 400 <= response.status_code < 500, url
    body = response.get_json()
    assert body["code"] and body["description"]


INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE craft_villages; --",
    "1 UNION SELECT version()--",
    '"quoted"',
    "/* comment */",
    "name-with-hyphen",
    "%27%3B",
    "\\x00",
    "ceramics' --",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_strings_are_data_not_sql(client, value):
    from urllib.parse import quote

    q = quote(value, safe="")
    for url in (
        f"/collections/villages/items?craft={q}",
        f"/collections/villages/items?name={q}",
        f"/collections/villages/items?bbox={q}",
        f"/collections/villages/items?limit={q}",
        f"/collections/villages/items?offset={q}",
        f"/collections/zones/items?datetime={q}",
        f"/collections/villages/items?{q}=1",
        f"/collections/{q}/items",
        f"/search?q={q}",
        f"/collections/villages/items?households={q}",
    ):
        response = client.get(url)
        text = response.get_data(as_text=True)
        assert response.status_code in (200, 400, 404), (url, response.status_code)
        for leak in ("psycopg2", "syntax error", "Traceback", "LINE 1", "relation ", "/work/"):
            assert leak not in text, (url, text)
        if response.status_code == 200 and "items" in url:
            assert response.get_json()["features"] == []
    with connect_count(client) as villages:
        assert villages == 50


class connect_count:  # noqa: N801 - a tiny context manager used as a function
    def __init__(self, client):
        self.settings = client.application.config["LANGNGHE"]

    def __enter__(self):
        self.conn = connect(self.settings)
        with self.conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM craft_villages")
            return cur.fetchone()[0]

    def __exit__(self, *exc):
        self.conn.close()


def test_tiles_have_features_caching_and_304(client, web_settings):
    url = "/tiles/villages/10/813/450.pbf"
    first = client.get(url)
    assert first.status_code == 200 and first.content_type == "application/vnd.mapbox-vector-tile"
    assert (
        len(first.data) > 50
        and b"villages" in first.data
        and "B\u00e1t Tr\u00e0ng".encode() in first.data
    )
    assert "max-age" in first.headers["Cache-Control"]
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    conn = connect(web_settings)
    with conn.cursor() as cur:
        cur.execute(
            "UPDATE craft_villages SET visit_minutes = visit_minutes + 1 WHERE ref = 'HN-BAT-TRANG'"
        )
    conn.commit()
    time.sleep(web_settings.tile_version_ttl_s)  # another connection's write: within the TTL
    try:
        changed = client.get(url, headers={"If-None-Match": etag})
        assert (
            changed.status_code == 200 and changed.headers["ETag"] != etag
        )  # the cache was invalidated
    finally:
        with conn.cursor() as cur:
            cur.execute(
                "UPDATE craft_villages SET visit_minutes = visit_minutes - 1 WHERE ref = "
                "'HN-BAT-TRANG'"
            )
        conn.commit()
        conn.close()
    empty = client.get("/tiles/villages/10/0/0.pbf")
    assert empty.status_code == 200 and empty.data == b""
    polygons = client.get("/tiles/clusters/12/3258/1816.pbf")
    assert polygons.status_code == 200


def test_draw_a_polygon_lists_what_is_inside(client):
    square = {
        "type": "Polygon",
        "coordinates": [
            [[105.9, 21.1], [105.96, 21.1], [105.96, 21.16], [105.9, 21.16], [105.9, 21.1]]
        ],
    }
    inside = client.post(
        "/api/within", data=json.dumps(square), content_type="application/json"
    ).get_json()
    assert {"Đồng Kỵ", "Phù Khê", "Đa Hội"} <= {v["name"] for v in inside["villages"]}
    assert any("Châu Khê" in c["name"] for c in inside["clusters"])
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[105.9, 21.1], [106, 21.2], [106, 21.1], [105.9, 21.2], [105.9, 21.1]]],
    }
    for body in (
        json.dumps(bowtie),
        "not json",
        json.dumps({"type": "Point", "coordinates": [105, 21]}),
    ):
        assert (
            client.post("/api/within", data=body, content_type="application/json").status_code
            == 400
        )


def test_choropleth_counts_villages_per_unit(client):
    units = client.get("/api/choropleth?version=pre-2025&level=province").get_json()
    counts = {f["properties"]["code"]: f["properties"]["villages"] for f in units["features"]}
    assert counts["01"] == 28 and counts["27"] == 10 and sum(counts.values()) == 50
    assert client.get("/api/choropleth?level=canton").status_code == 400


def test_environment_endpoints(client):
    latest = client.get("/api/stations/latest").get_json()["stations"]
    air = [s for s in latest.values() if s["ref"].startswith("SYN-AIR")]
    assert len(air) == 6 and all(
        0 < s["aqi"]["value"] <= 500 and s["aqi"]["color"].startswith("#") for s in air
    )
    assert air[0]["aqi"]["time"].endswith("+07:00")  # local time with its zone
    assert "Quyết định 1459/QĐ-TCMT" in air[0]["aqi"]["source"]["text"]
    some = next(k for k, s in latest.items() if s["ref"] == "SYN-AIR-DA-HOI")
    series = client.get(f"/api/stations/{some}/series?parameter=NO2").get_json()
    assert (
        len(series["points"]) == 7 * 24 and series["limits"][0]["document"] == "QCVN 05:2023/BTNMT"
    )


def test_a_date_filter_must_be_a_date(client):
    bad = client.get("/collections/villages/items?recognition_date=je")
    assert bad.status_code == 400
    assert "recognition_date" in bad.get_json()["description"]
    good = client.get("/collections/villages/items?recognition_date=2019-05-01")
    assert good.status_code == 200
