"""Finding 13 of issue 13: refs follow one pattern at import and edit, download names are
encoded as RFC 6266 asks, and absolute links use the public base URL, not the Host header."""

from __future__ import annotations

import pytest

from gis.db import connect
from layers.routes import check_route
from tests.webmap.conftest import bearer
from webmap.app import create_app
from webmap.security import content_disposition

pytestmark = pytest.mark.postgis

BAD_REFS = ['T-REF"x', "T-REF\r\nSet-Cookie: a=1", "T-REF x", "T-REF/../x", "-T-REF", "T" * 65]


@pytest.fixture
def api(web_settings, accounts):
    app = create_app(web_settings)
    yield app.test_client()
    conn = connect(web_settings)
    with conn.cursor() as cur:
        cur.execute("DELETE FROM craft_villages WHERE ref LIKE 'T-REF%%'")
    conn.commit()
    conn.close()
    app.extensions["langnghe_db"].close()


@pytest.mark.parametrize("ref", BAD_REFS)
def test_edit_refuses_a_ref_outside_the_pattern(api, accounts, web_settings, ref):
    feature = {
        "type": "Feature",
        "properties": {"ref": ref, "name": "Làng thử", "craft": "ceramics", "source": "test"},
        "geometry": {"type": "Point", "coordinates": [105.91, 20.98]},
    }
    response = api.post(
        "/collections/villages/items", json=feature, headers=bearer(accounts["planner"])
    )
    assert response.status_code == 400, response.get_json()
    assert "ref" in response.get_json()["description"]
    conn = connect(web_settings)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM craft_villages WHERE ref LIKE 'T-REF%%'")
        assert cur.fetchone()[0] == 0
    conn.close()


def test_a_good_ref_is_accepted_and_its_export_names_the_file_safely(api, accounts):
    feature = {
        "type": "Feature",
        "properties": {
            "ref": "T-REF:1.a_b",
            "name": "Làng thử",
            "craft": "ceramics",
            "source": "test",
        },
        "geometry": {"type": "Point", "coordinates": [105.91, 20.98]},
    }
    created = api.post(
        "/collections/villages/items", json=feature, headers=bearer(accounts["planner"])
    )
    assert created.status_code == 201, created.get_json()
    export = api.get("/export/villages/T-REF:1.a_b.html")
    assert export.status_code == 200
    assert export.headers["Content-Disposition"] == (
        "attachment; filename=\"T-REF_1.a_b.html\"; filename*=UTF-8''T-REF%3A1.a_b.html"
    )


def test_routes_refuse_a_ref_outside_the_pattern():
    route = {"ref": 'R"1', "name_vi": "a", "name_en": "a", "theme": "t", "stops": []}
    assert "ref" in [p.field for p in check_route(1, route)]


@pytest.mark.parametrize("name", ['a".gpx', "a\r\nX-Evil: 1.gpx", "Bát Tràng.html", "x;y=z"])
def test_content_disposition_never_lets_the_name_out_of_its_parameter(name):
    header = content_disposition(name)
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2 and header.count(";") == 2
    assert header.isascii()


def test_absolute_links_use_the_public_url_not_the_host_header(web_settings):
    public = web_settings.model_copy(update={"public_url": "https://gis.example.vn/langnghe"})
    app = create_app(public)
    client = app.test_client()
    try:
        body = client.get("/collections?f=json", headers={"Host": "evil.example"}).get_json()
        hrefs = [link["href"] for link in body["links"]]
        hrefs += [link["href"] for c in body["collections"] for link in c["links"]]
        assert hrefs and all(h.startswith("https://gis.example.vn/langnghe/") for h in hrefs)
        prefixed = client.get("/langnghe/collections?f=json", headers={"Host": "evil.example"})
        assert prefixed.status_code == 200
        doc = client.get("/api", headers={"Host": "evil.example"}).get_json()
        assert "evil.example" not in str(doc)
    finally:
        app.extensions["langnghe_db"].close()
    unset = create_app(web_settings)
    try:
        links = unset.test_client().get("/collections?f=json").get_json()["links"]
        assert links[0]["href"].startswith("http://localhost/")
    finally:
        unset.extensions["langnghe_db"].close()
