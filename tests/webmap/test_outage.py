"""PostgreSQL stopped and started under a running server: 503 with a clear message during the
outage, normal answers after it, with no restart of the app.

The test runs its own embedded cluster (a folder and a free port of its own), so stopping it
touches no other test, whatever the order, and it runs with an external ``DATABASE_URL`` too.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from gis import localdb
from gis.db import connect
from gis.migrate import apply
from gis.settings import Settings
from layers import migrations_folder
from layers.sample import load_sample
from tests.webmap.conftest import _free_port, start_server

pytestmark = pytest.mark.postgis


@pytest.fixture
def own_cluster(databases) -> Iterator[Settings]:
    """A private embedded cluster in a fresh folder, migrated and holding the sample."""
    parent = databases.server.home / "test-clusters"
    parent.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="outage-", dir=parent))
    home.chmod(0o755)  # the cluster's OS user (postgres, when we are root) must reach it
    own = databases.server.model_copy(
        update={"home": home, "pg_port": _free_port(), "database_url": None}
    )
    try:
        localdb.start(own)
        apply(own.dsn(), migrations_folder())
        conn = connect(own)
        try:
            load_sample(conn, own)
            conn.commit()
        finally:
            conn.close()
        yield own
    finally:
        localdb.stop(own)
        shutil.rmtree(home, ignore_errors=True)


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_database_restart_under_a_running_server(own_cluster, tmp_path):
    proc, base = start_server(own_cluster, tmp_path / "server.log", LANGNGHE_BASEMAP_URL="")
    url = base + "/collections/villages/items?limit=2"
    try:
        assert _get(url)[0] == 200
        localdb.stop(own_cluster)
        try:
            for _ in range(3):  # the pooled connections are dead now; each request says so
                status, body = _get(url)
                assert status == 503 and body["code"] == "ServiceUnavailable"
                assert (
                    body["message"]["code"] == "http.database_unavailable" and body["description"]
                )
                assert "psycopg2" not in body["description"] and "/" not in body["description"]
            assert _get(base + "/healthz")[0] == 503
        finally:
            localdb.start(own_cluster)
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
