"""The tile cache of two web processes (issue 18, item 2): each its own, both correct.

Two ``langnghe serve`` processes over one database: a tile cached by each is served again
from its cache, and a write to the layer (by neither of them) makes both serve the new tile.
"""

from __future__ import annotations

import time
import urllib.request

import pytest

from gis.db import connect
from tests.webmap.conftest import start_server

pytestmark = pytest.mark.postgis

TILE = "/tiles/villages/10/813/450.pbf"


def _get(base: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(base + TILE, timeout=30) as answer:
        return answer.read(), answer.headers["ETag"]


def test_two_processes_serve_the_new_tile_after_a_write(web_settings, tmp_path):
    servers = [start_server(web_settings, tmp_path / f"web{i}.log") for i in (1, 2)]
    try:
        first = [_get(base) for _proc, base in servers]
        again = [_get(base) for _proc, base in servers]
        assert first[0] == first[1] == again[0] == again[1] and len(first[0][0]) > 0
        conn = connect(web_settings)
        with conn.cursor() as cur:  # another process (the command line) renames every village
            cur.execute("UPDATE craft_villages SET name = name || ' (mới)'")
            assert cur.rowcount > 0
        conn.commit()
        conn.close()
        time.sleep(web_settings.tile_version_ttl_s)  # each reads the counter again by then
        after = [_get(base) for _proc, base in servers]
        assert after[0] == after[1]
        assert after[0][1] != first[0][1] and after[0][0] != first[0][0]
        assert " (mới)".encode() in after[0][0]
    finally:
        for proc, _base in servers:
            proc.terminate()
            proc.wait(timeout=30)
