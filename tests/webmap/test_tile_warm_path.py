"""The warm tile path (issue 18, performance): no database, no Vary, new tiles within the TTL.

A cached tile (or a 304 for a current ETag) borrows no connection while the layer's change
counter is fresh (``tile_version_ttl_s``); a write by another connection shows within that
time, a write through this process at once; ``tile_version_ttl_s = 0`` asks every time.
"""

from __future__ import annotations

import math
import time

import pytest

from gis.db import connect
from webmap.app import create_app

pytestmark = pytest.mark.postgis

TILE = "/tiles/villages/10/813/450.pbf"


def _client(settings, **update):
    app = create_app(settings.model_copy(update=update))
    app.config["TESTING"] = True
    pool = app.extensions["langnghe_db"]
    borrowed = []
    real = pool.getconn

    def counting():
        borrowed.append(1)
        return real()

    pool.getconn = counting
    return app, app.test_client(), borrowed


def _rename(settings, suffix: str) -> None:
    conn = connect(settings)
    with conn.cursor() as cur:  # another connection (the command line, another machine)
        cur.execute(
            "UPDATE craft_villages SET name = name || %s WHERE ref = 'HN-BAT-TRANG'", (suffix,)
        )
        assert cur.rowcount == 1
    conn.commit()
    conn.close()


def test_a_warm_tile_borrows_no_connection_and_varies_on_nothing(web_settings):
    app, client, borrowed = _client(web_settings, tile_version_ttl_s=30.0)
    try:
        first = client.get(TILE)
        assert first.status_code == 200 and "Bát Tràng".encode() in first.data
        assert len(borrowed) == 1  # the counter and the tile: one connection
        again = client.get(TILE)
        fresh = client.get(TILE, headers={"If-None-Match": first.headers["ETag"]})
        assert again.data == first.data and fresh.status_code == 304
        assert len(borrowed) == 1  # neither asked the database
        for answer in (first, again, fresh):
            assert "Vary" not in answer.headers and "Set-Cookie" not in answer.headers
            assert answer.headers["Cache-Control"] == "public, max-age=60"
        assert client.get("/collections", headers={"Accept-Language": "en"}).headers["Vary"]
    finally:
        app.extensions["langnghe_db"].close()


def test_another_connection_s_write_shows_within_the_ttl(web_settings):
    app, client, borrowed = _client(web_settings, tile_version_ttl_s=1.0)
    try:
        before = client.get(TILE)
        _rename(web_settings, " (mới)")
        deadline = time.monotonic() + 1.0 + 5.0  # the TTL, and a busy machine's margin
        while (now := client.get(TILE)).data == before.data:
            assert time.monotonic() < deadline, "the write never showed"
            time.sleep(0.1)
        assert " (mới)".encode() in now.data and now.headers["ETag"] != before.headers["ETag"]
    finally:
        app.extensions["langnghe_db"].close()


def test_a_write_through_this_process_and_ttl_zero_ask_at_once(web_settings):
    app, client, borrowed = _client(web_settings, tile_version_ttl_s=3600.0)
    try:
        before = client.get(TILE)
        _rename(web_settings, " A")
        assert client.get(TILE).data == before.data  # trusted for an hour...
        client.post("/api/within", json={"type": "Point", "coordinates": [105.9, 21.0]})
        assert b" A" in client.get(TILE).data  # ...until this process wrote (a POST)
    finally:
        app.extensions["langnghe_db"].close()
    app, client, borrowed = _client(web_settings, tile_version_ttl_s=0.0)
    try:
        before = client.get(TILE)
        _rename(web_settings, " B")
        assert b" B" in client.get(TILE).data and before.data != b""
        assert len(borrowed) == 2  # every request asked
    finally:
        app.extensions["langnghe_db"].close()


def _version(settings) -> int:
    conn = connect(settings)
    with conn.cursor() as cur:
        cur.execute("SELECT version FROM layer_versions WHERE layer = 'craft_villages'")
        version = int(cur.fetchone()[0])
    conn.close()
    return version


def test_a_url_naming_a_newer_version_asks_at_once(web_settings):
    """An editor's page asks for ``?v=`` the version its edit answered: no stale tile."""
    app, client, borrowed = _client(web_settings, tile_version_ttl_s=3600.0)
    try:
        before = client.get(f"{TILE}?v={_version(web_settings)}")
        _rename(web_settings, " C")  # another process's write
        assert client.get(f"{TILE}?v={_version(web_settings) - 1}").data == before.data
        assert len(borrowed) == 1  # an older or equal version: trusted, no database
        fresh = client.get(f"{TILE}?v={_version(web_settings)}")
        assert b" C" in fresh.data and fresh.headers["ETag"] != before.headers["ETag"]
        for junk in ("x", "²", "9" * 40):  # not a version: ignored
            assert client.get(TILE, query_string={"v": junk}).status_code == 200
    finally:
        app.extensions["langnghe_db"].close()


def test_an_edit_answers_with_the_layer_version(client, accounts, web_settings):
    from tests.webmap.conftest import bearer

    item = client.get("/collections/villages/items?ref=HN-BAT-TRANG").get_json()["features"][0]
    path = f"/collections/villages/items/{item['id']}"
    tag = client.get(path).headers["ETag"]
    before = _version(web_settings)
    answer = client.patch(
        path,
        json={"type": "Feature", "properties": {"households": 1234}},
        headers={**bearer(accounts["planner"]), "If-Match": tag},
    )
    assert answer.status_code == 204, answer.get_data(as_text=True)
    assert int(answer.headers["Layer-Version"]) == _version(web_settings) > before


def test_groups_count_every_village_once_and_carry_lone_ones(client, web_settings):
    """The low-zoom overview: each village in exactly one group of one tile per zoom."""
    conn = connect(web_settings)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM craft_villages")
        total = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM craft_villages WHERE recognition = 'traditional_craft_village'"
        )
        traditional = cur.fetchone()[0]
        cur.execute("SELECT ST_X(geom), ST_Y(geom) FROM craft_villages WHERE ref = 'HN-BAT-TRANG'")
        lon, lat = cur.fetchone()
    conn.close()
    assert total > 10
    for z in (0, 1):
        groups = [
            g
            for x in range(2**z)
            for y in range(2**z)
            for g in client.get(f"/tiles/villages/groups/{z}/{x}/{y}.json").get_json()["groups"]
        ]
        assert sum(g["n"] for g in groups) == total
        assert sum(g["by"].get("traditional_craft_village", 0) for g in groups) == traditional
        assert all(sum(g["by"].values()) == g["n"] for g in groups)
    # at zoom 14 around Bát Tràng most villages are alone in their square: drawn as themselves
    cx = int((lon + 180) / 360 * 2**14)
    cy = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**14)
    near = [
        g
        for x in range(cx - 2, cx + 3)
        for y in range(cy - 2, cy + 3)
        for g in client.get(f"/tiles/villages/groups/14/{x}/{y}.json").get_json()["groups"]
    ]
    lone = [g["one"] for g in near if g["n"] == 1]
    assert lone and all(o["id"] and o["craft"] and "name" in o for o in lone), near
    answer = client.get("/tiles/villages/groups/3/6/3.json")
    assert answer.headers["Cache-Control"] == "public, max-age=60" and answer.headers["ETag"]
    assert client.get("/tiles/zones/groups/3/6/3.json").status_code == 404
    assert client.get("/tiles/villages/groups/3/9/3.json").status_code == 400


def test_groups_count_by_the_properties_a_page_asks(client, web_settings):
    """?by=craft,visitable nests the counts (the tourist page's hazards); a bad by is a 400."""
    conn = connect(web_settings)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM craft_villages v JOIN craft_types c ON c.code = v.craft "
            "WHERE c.pollution_class = 'high' AND v.visitable IS NOT TRUE"
        )
        hazards = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM craft_villages")
        total = cur.fetchone()[0]
        cur.execute("SELECT code FROM craft_types WHERE pollution_class = 'high'")
        high = {r[0] for r in cur.fetchall()}
    conn.close()
    assert hazards > 0
    groups = client.get("/tiles/villages/groups/0/0/0.json?by=craft,visitable").get_json()["groups"]
    assert sum(g["n"] for g in groups) == total
    assert all(sum(sum(v.values()) for v in g["by"].values()) == g["n"] for g in groups)
    counted = sum(
        n
        for g in groups
        for craft, visits in g["by"].items()
        if craft in high
        for visitable, n in visits.items()
        if visitable != "true"
    )
    assert counted == hazards
    assert {k for g in groups for v in g["by"].values() for k in v} <= {"true", "false", ""}
    # the planner's default is unchanged: by recognition, one level
    plain = client.get("/tiles/villages/groups/0/0/0.json").get_json()["groups"]
    assert all(isinstance(n, int) for g in plain for n in g["by"].values())
    for bad in ("name", "craft,craft", "craft,visitable,recognition", "craft,"):
        answer = client.get(f"/tiles/villages/groups/0/0/0.json?by={bad}")
        assert answer.status_code == 400, (bad, answer.get_data(as_text=True))
        assert "by" in answer.get_json()["description"], answer.get_json()
