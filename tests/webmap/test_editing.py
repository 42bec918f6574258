"""Editing through the API: roles, ETag concurrency, the bad-geometry corpus, audit and revert,
and an injection corpus over every query parameter and property name.
"""

from __future__ import annotations

import json

import pytest

from gis.db import connect
from tests.webmap.conftest import bearer
from webmap.app import create_app

pytestmark = pytest.mark.postgis

VILLAGE = {
    "type": "Feature",
    "properties": {"ref": "T-EDIT", "name": "Làng Sửa Thử", "craft": "ceramics", "source": "test"},
    "geometry": {"type": "Point", "coordinates": [105.91, 20.98]},
}
CLUSTER = {
    "type": "Feature",
    "properties": {
        "ref": "CCN-T-EDIT",
        "name": "Cụm thử",
        "kind": "general",
        "status": "planned",
        "source": "test",
    },
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[105.90, 21.00], [105.91, 21.00], [105.91, 21.01], [105.90, 21.01], [105.90, 21.00]]
        ],
    },
}
ZONE = {
    "type": "Feature",
    "properties": {
        "ref": "T-ZONE-EDIT",
        "name": "Vùng thử",
        "kind": "observed",
        "parameter": "PM2.5",
        "method": "drawn by an officer",
        "zone_date": "2026-10-01",
        "severity": "high",
        "source": "test",
    },
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[105.90, 21.00], [105.91, 21.00], [105.91, 21.01], [105.90, 21.01], [105.90, 21.00]]
        ],
    },
}
STATION = {
    "type": "Feature",
    "properties": {
        "ref": "T-ST-EDIT",
        "name": "Trạm thử",
        "medium": "air",
        "synthetic": "yes",
        "source": "test",
    },
    "geometry": {"type": "Point", "coordinates": [105.85, 21.03]},
}


@pytest.fixture
def api(web_settings, accounts):
    app = create_app(web_settings)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the assertions read the English texts
    yield client
    conn = connect(web_settings)
    with conn.cursor() as cur:
        cur.execute("DELETE FROM craft_villages WHERE ref LIKE 'T-EDIT%%'")
        cur.execute("DELETE FROM industrial_clusters WHERE ref LIKE 'CCN-T-EDIT%%'")
        cur.execute("DELETE FROM monitoring_stations WHERE ref LIKE 'T-ST-EDIT%%'")
        cur.execute("DELETE FROM pollution_zones WHERE ref LIKE 'T-ZONE-EDIT%%'")
    conn.commit()
    conn.close()
    app.extensions["langnghe_db"].close()


def _count(settings, table: str) -> int:
    conn = connect(settings)
    with conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")  # a fixed table name from this test
        n = cur.fetchone()[0]
    conn.close()
    return n


@pytest.mark.parametrize(
    "collection,body,allowed",
    [
        ("villages", VILLAGE, "planner"),
        ("clusters", CLUSTER, "planner"),
        ("stations", STATION, "env_officer"),
        ("zones", ZONE, "env_officer"),
    ],
)
def test_edit_endpoints_by_role(api, accounts, web_settings, collection, body, allowed):
    table = {
        "villages": "craft_villages",
        "clusters": "industrial_clusters",
        "stations": "monitoring_stations",
        "zones": "pollution_zones",
    }[collection]
    other = "env_officer" if allowed == "planner" else "planner"
    before = _count(web_settings, table)
    assert api.post(f"/collections/{collection}/items", data=json.dumps(body)).status_code == 401
    refused = api.post(
        f"/collections/{collection}/items", data=json.dumps(body), headers=bearer(accounts[other])
    )
    assert refused.status_code == 403 and _count(web_settings, table) == before
    made = api.post(
        f"/collections/{collection}/items", data=json.dumps(body), headers=bearer(accounts[allowed])
    )
    assert made.status_code == 201, made.get_json()
    path = "/" + made.headers["Location"].split("://", 1)[1].split("/", 1)[1]
    tag = api.get(path).headers["ETag"]
    patch = {"type": "Feature", "properties": {"name": body["properties"]["name"] + " (sửa)"}}
    for role, status in ((None, 401), (other, 403)):
        assert (
            api.patch(
                path,
                data=json.dumps(patch),
                headers={**(bearer(accounts[role]) if role else {}), "If-Match": tag},
            ).status_code
            == status
        )
        assert (
            api.delete(
                path, headers={**(bearer(accounts[role]) if role else {}), "If-Match": tag}
            ).status_code
            == status
        )
    assert api.get(path).headers["ETag"] == tag  # refused requests changed nothing
    assert (
        api.post(
            f"/collections/{collection}/items",
            data=json.dumps(body),
            headers=bearer(accounts["admin"]),
        ).status_code
        == 409
    )  # the ref exists
    ok = api.patch(
        path, data=json.dumps(patch), headers={**bearer(accounts["admin"]), "If-Match": tag}
    )
    assert ok.status_code == 204 and ok.headers["ETag"] != tag
    assert json.loads(api.get(path).data)["properties"]["name"].endswith("(sửa)")
    assert (
        api.delete(
            path, headers={**bearer(accounts[allowed]), "If-Match": ok.headers["ETag"]}
        ).status_code
        == 204
    )
    assert api.get(path).status_code == 404 and _count(web_settings, table) == before


def test_two_editors_the_second_gets_412_and_the_first_survives(api, accounts):
    h = bearer(accounts["planner"])
    made = api.post("/collections/villages/items", data=json.dumps(VILLAGE), headers=h)
    path = "/" + made.headers["Location"].split("://", 1)[1].split("/", 1)[1]
    tag = api.get(path).headers["ETag"]  # both editors read the same version
    first = api.patch(
        path,
        data=json.dumps({"type": "Feature", "properties": {"households": 150}}),
        headers={**h, "If-Match": tag},
    )
    second = api.patch(
        path,
        data=json.dumps({"type": "Feature", "properties": {"households": 999}}),
        headers={**h, "If-Match": tag},
    )
    assert first.status_code == 204 and second.status_code == 412
    assert "changed since you read it" in second.get_json()["description"]
    assert json.loads(api.get(path).data)["properties"]["households"] == 150
    assert (
        api.patch(
            path, data=json.dumps({"type": "Feature", "properties": {}}), headers=h
        ).status_code
        == 428
    )
    assert api.delete(path, headers={**h, "If-Match": tag}).status_code == 412


BAD_BODIES = [
    (
        '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [NaN, '
        "21]}}",
        "finite",
    ),
    (
        '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": '
        "[Infinity, 21]}}",
        "finite",
    ),
    (
        '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": '
        "[1e308, 21]}}",
        "outside",
    ),
    (
        '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [200, '
        "21]}}",
        "outside",
    ),
    (
        '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": []}}',
        "empty",
    ),
    (
        '{"type": "Feature", "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}, '
        '"properties": {}, '
        '"geometry": {"type": "Point", "coordinates": [105.9, 21]}}',
        "crs",
    ),
    (
        '{"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": '
        "[[105.9, 21], [106, 21]]}}",
        "not LineString",
    ),
    ("not json", "not JSON"),
    ('{"type": "FeatureCollection", "features": []}', "one GeoJSON Feature"),
]


@pytest.mark.parametrize("body,message", BAD_BODIES, ids=[m for _, m in BAD_BODIES])
def test_bad_geometry_corpus_is_refused_and_nothing_written(
    api, accounts, web_settings, body, message
):
    before = _count(web_settings, "craft_villages")
    doc = body.replace(
        '"properties": {}',
        '"properties": {"ref": "T-EDIT-BAD", "name": "x", "craft": "ceramics", "source": "test"}',
    )
    response = api.post(
        "/collections/villages/items",
        data=doc,
        headers={**bearer(accounts["planner"]), "Accept-Language": "en"},
    )
    assert 400 <= response.status_code < 500 and message in response.get_json()["description"], (
        response.get_json()
    )
    assert _count(web_settings, "craft_villages") == before


def test_bad_polygons_swapped_points_and_big_bodies(api, accounts, web_settings):
    h = bearer(accounts["planner"])
    before = _count(web_settings, "industrial_clusters")
    bowtie = {
        **CLUSTER,
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [
                    [105.90, 21.00],
                    [105.91, 21.01],
                    [105.91, 21.00],
                    [105.90, 21.01],
                    [105.90, 21.00],
                ]
            ],
        },
    }
    unclosed = {
        **CLUSTER,
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[105.90, 21.00], [105.91, 21.00], [105.91, 21.01], [105.90, 21.01]]],
        },
    }
    for doc, message in ((bowtie, "self-intersection"), (unclosed, "last equal to the first")):
        r = api.post("/collections/clusters/items", data=json.dumps(doc), headers=h)
        assert (
            r.status_code == 400
            and message in r.get_json()["description"].lower()
            or message in r.get_json()["description"]
        ), r.get_json()
    swapped = {**VILLAGE, "geometry": {"type": "Point", "coordinates": [20.98, 105.91]}}
    r = api.post("/collections/villages/items", data=json.dumps(swapped), headers=h)
    assert r.status_code == 400, r.get_json()
    unknown = {**VILLAGE, "properties": {**VILLAGE["properties"], "colour": "red"}}
    r = api.post("/collections/villages/items", data=json.dumps(unknown), headers=h)
    assert r.status_code == 400 and "unknown properties colour;" in r.get_json()["description"]
    huge = api.post("/collections/villages/items", data="x" * (50 * 1024 * 1024), headers=h)
    assert huge.status_code == 413
    assert _count(web_settings, "industrial_clusters") == before


def test_zone_with_an_unknown_parameter_is_refused(api, accounts, web_settings):
    bad = {**ZONE, "properties": {**ZONE["properties"], "parameter": "XYZ"}}
    r = api.post(
        "/collections/zones/items",
        data=json.dumps(bad),
        headers={**bearer(accounts["env_officer"]), "Accept-Language": "en"},
    )
    assert r.status_code == 400 and "unknown parameter 'XYZ'" in r.get_json()["description"]
    assert r.get_json()["message"]["params"]["problems"][0]["$message"]["code"] == (
        "edit.field_problem"
    )


def test_audit_log_and_revert(api, accounts):
    h, admin = bearer(accounts["planner"]), bearer(accounts["admin"])
    made = api.post("/collections/villages/items", data=json.dumps(VILLAGE), headers=h)
    path = "/" + made.headers["Location"].split("://", 1)[1].split("/", 1)[1]
    tag = api.get(path).headers["ETag"]
    api.patch(
        path,
        data=json.dumps({"type": "Feature", "properties": {"workers": 77}}),
        headers={**h, "If-Match": tag},
    )
    assert api.get("/api/audit", headers=h).status_code == 403
    entries = api.get("/api/audit?table=craft_villages&limit=5", headers=admin).get_json()[
        "entries"
    ]
    update, insert = entries[0], entries[1]
    assert (update["action"], insert["action"]) == ("update", "insert") and update[
        "actor"
    ] == "planner"
    assert (
        api.post(f"/api/audit/{insert['id']}/revert", headers=admin).status_code == 412
    )  # updated since
    undone = api.post(f"/api/audit/{update['id']}/revert", headers=admin)
    assert undone.status_code == 200
    assert (
        json.loads(api.get(path).data)["properties"]["workers"] is None
    )  # back to before the update
    fresh = api.get(path).headers["ETag"]
    assert api.delete(path, headers={**h, "If-Match": fresh}).status_code == 204
    deleted = api.get("/api/audit?table=craft_villages&limit=1", headers=admin).get_json()[
        "entries"
    ][0]
    assert deleted["action"] == "delete"
    assert api.post(f"/api/audit/{deleted['id']}/revert", headers=admin).status_code == 200
    assert api.get(path).status_code == 200  # the deleted village is back, same id


INJECTIONS = [
    "'",
    '"',
    "1;DROP TABLE craft_villages",
    "' OR '1'='1",
    "1 UNION SELECT 1",
    "--",
    "/* */",
    "a-b",
    "\\",
    "%",
    "名",
    "\x00",
]


def test_injection_corpus_never_500(api):
    paths = [
        "/collections/villages/items?craft={v}",
        "/collections/villages/items?{v}=1",
        "/collections/villages/items?bbox={v}",
        "/collections/villages/items?limit={v}",
        "/collections/zones/items?datetime={v}",
        "/collections/{v}/items",
        "/collections/villages/items/{v}",
        "/search?q={v}",
        "/api/choropleth?level={v}",
        "/api/exceedances?station={v}",
        "/api/stations/1/series?parameter={v}",
        "/api/exposure?kind={v}",
        "/api/surfaces?parameter={v}",
        "/tiles/villages/{v}/0/0.pbf",
        "/api/tour?villages={v}",
    ]
    from urllib.parse import quote

    for template in paths:
        for value in INJECTIONS:
            url = template.replace("{v}", quote(value, safe=""))
            response = api.get(url)
            assert response.status_code < 500, (
                url,
                response.status_code,
                response.get_data(as_text=True)[:200],
            )
            text = response.get_data(as_text=True).lower()
            assert (
                "syntax error" not in text and "psycopg2" not in text and "traceback" not in text
            ), url


def test_routes_are_edited_with_their_stops_and_reverted(api, accounts):
    h, admin = bearer(accounts["planner"]), bearer(accounts["admin"])
    route = {
        "type": "Feature",
        "geometry": None,
        "properties": {
            "ref": "T-EDIT-ROUTE",
            "name_vi": "Tuyến thử",
            "name_en": "Test route",
            "theme": "ceramics",
            "source": "test",
            "stops": [
                {"village": "HN-BAT-TRANG", "minutes": 60},
                {"village": "HN-KIM-LAN", "minutes": 30},
            ],
        },
    }
    assert (
        api.post(
            "/collections/routes/items",
            data=json.dumps(route),
            headers=bearer(accounts["env_officer"]),
        ).status_code
        == 403
    )
    made = api.post("/collections/routes/items", data=json.dumps(route), headers=h)
    assert made.status_code == 201, made.get_json()
    path = "/" + made.headers["Location"].split("://", 1)[1].split("/", 1)[1]
    got = json.loads(api.get(path).data)
    assert [s["ref"] for s in got["properties"]["stops"]] == ["HN-BAT-TRANG", "HN-KIM-LAN"]
    assert got["geometry"]["type"] == "LineString"
    three = {
        "type": "Feature",
        "properties": {
            "stops": [
                {"village": "HN-BAT-TRANG", "minutes": 60},
                {"village": "HN-KIM-LAN", "minutes": 30},
                {"village": "HN-KIEU-KY", "minutes": 45},
            ]
        },
    }
    changed = api.patch(
        path, data=json.dumps(three), headers={**h, "If-Match": api.get(path).headers["ETag"]}
    )
    assert changed.status_code == 204, changed.get_json()
    assert len(json.loads(api.get(path).data)["properties"]["stops"]) == 3
    bad = {
        "type": "Feature",
        "properties": {"stops": [{"village": "NO-SUCH", "minutes": 5}, {"village": "HN-KIM-LAN"}]},
    }
    r = api.patch(
        path, data=json.dumps(bad), headers={**h, "If-Match": api.get(path).headers["ETag"]}
    )
    assert r.status_code == 400 and "NO-SUCH" in r.get_json()["description"]
    line = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": [[105.9, 21], [106, 21]]},
    }
    r = api.patch(
        path, data=json.dumps(line), headers={**h, "If-Match": api.get(path).headers["ETag"]}
    )
    assert r.status_code == 400 and "drawn from its stops" in r.get_json()["description"]
    update = api.get("/api/audit?table=tourism_routes&limit=1", headers=admin).get_json()[
        "entries"
    ][0]
    assert api.post(f"/api/audit/{update['id']}/revert", headers=admin).status_code == 200
    assert (
        len(json.loads(api.get(path).data)["properties"]["stops"]) == 2
    )  # the stops came back too
    conn = connect(api.application.config["LANGNGHE"])
    with conn.cursor() as cur:
        cur.execute("DELETE FROM tourism_routes WHERE ref = 'T-EDIT-ROUTE'")
    conn.commit()
    conn.close()
