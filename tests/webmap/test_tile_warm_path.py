"""The warm tile path (issue 18, performance): no database, no Vary, new tiles within the TTL.

A cached tile (or a 304 for a current ETag) borrows no connection while the layer's change
counter is fresh (``tile_version_ttl_s``); a write by another connection shows within that
time, a write through this process at once; ``tile_version_ttl_s = 0`` asks every time.
"""

from __future__ import annotations

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
