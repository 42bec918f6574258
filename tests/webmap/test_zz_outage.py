"""PostgreSQL stopped and started under a running server: 503 with a clear message during the
outage, normal answers after it, with no restart of the app. Runs last (it stops the cluster).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest

from gis import localdb
from tests.webmap.conftest import start_server

pytestmark = pytest.mark.postgis


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_database_restart_under_a_running_server(web_settings, tmp_path):
    if not web_settings.embedded:
        pytest.skip("needs the embedded cluster: this test stops and starts PostgreSQL")
    proc, base = start_server(web_settings, tmp_path / "server.log", LANGNGHE_BASEMAP_URL="")
    url = base + "/collections/villages/items?limit=2"
    try:
        assert _get(url)[0] == 200
        localdb.stop(web_settings)
        try:
            for _ in range(3):  # the pooled connections are dead now; each request says so
                status, body = _get(url)
                assert status == 503 and body["code"] == "ServiceUnavailable"
                assert "database is not reachable" in body["description"]
                assert "psycopg2" not in body["description"] and "/" not in body["description"]
            assert _get(base + "/healthz")[0] == 503
        finally:
            localdb.start(web_settings)
        deadline = time.monotonic() + 30
        while True:  # the same server process answers again once PostgreSQL is back
            status, body = _get(url)
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert status == 200 and len(body["features"]) == 2
        assert proc.poll() is None  # never restarted
    finally:
        proc.terminate()
        proc.wait(timeout=10)
