"""Read replicas (issue 18, item 3) against a real streaming replica of the test cluster.

The module starts a replica of the embedded cluster (``pg_basebackup -R`` into a second data
folder, another port, :mod:`gis.replica`), points a web app at it with
``DATABASE_REPLICA_URL`` and checks: public reads are served by the replica (a row written on
the primary appears there only after replay; the replica's ``pg_stat_activity`` shows the
web's sessions), a client's read after its own write goes to the primary, the replica going
down (stopped, or frozen with SIGSTOP) sends reads to the primary without a failed request
(logged once), within the stated time when it is frozen, and its return brings them back;
every connection carries the TCP keepalives of the settings. The replica is removed
afterwards, its slot included.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from gis import replica as replicas
from gis.db import connect
from gis.settings import Settings
from gis.text import fold
from tests.support import TemplateDatabases
from tests.webmap.conftest import bearer, start_server
from webmap.app import create_app
from webmap.db import REPLICA, WAL_COOKIE

pytestmark = pytest.mark.postgis

REF = "T-REPLICA"
VILLAGE = {
    "type": "Feature",
    "properties": {"ref": REF, "name": "Làng Bản Sao", "craft": "ceramics", "source": "test"},
    "geometry": {"type": "Point", "coordinates": [105.92, 20.97]},
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def replica(databases: TemplateDatabases) -> Iterator[replicas.ReplicaCluster]:
    """A streaming replica of the test cluster, removed (with its slot) after the module."""
    server = databases.server
    assert server.embedded, "the replica tests copy the embedded cluster"
    # one folder for every run: a run that was killed leaves it (and its slot) to the next
    folder = server.home / "pgdata-replica-tests"
    made = replicas.start_replica(server, port=_free_port(), pgdata=folder)
    yield made
    replicas.remove_replica(server, made)
    assert not made.pgdata.exists()


@pytest.fixture
def replica_settings(
    databases: TemplateDatabases,
    web_template: dict[str, str],
    replica: replicas.ReplicaCluster,
) -> Iterator[Settings]:
    """This test's web database, replayed on the replica, with ``DATABASE_REPLICA_URL`` set."""
    server = databases.server
    own = databases.copy(
        "web",
        basemap_url="",
        database_replica_url=replica.url(server),
        replica_retry_s=1.0,
    )
    replicas.resume_replica(server, replica)  # a test before may have stopped it
    replicas.wait_replayed(server, replica)
    yield own
    databases.release(own)


@pytest.fixture
def app(replica_settings: Settings):
    app = create_app(replica_settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["langnghe_db"].close()


def _on_replica(server: Settings, replica: replicas.ReplicaCluster, query: str, *args):
    conn = psycopg2.connect(replica.dsn(server, "postgres", role="admin"), connect_timeout=5)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(query, args)
            return cur.fetchall()
    finally:
        conn.close()


def _names(client, ref: str = REF) -> list[str]:
    answer = client.get(f"/collections/villages/items?ref={ref}")
    assert answer.status_code == 200, answer.data[:300]
    return [f["properties"]["name"] for f in answer.get_json()["features"]]


def _write_on_primary(settings: Settings, query: str, *args) -> None:
    conn = connect(settings)
    with conn.cursor() as cur:
        cur.execute(query, args)
    conn.commit()
    conn.close()


def _insert_village(settings: Settings, name: str) -> None:
    _write_on_primary(
        settings,
        "INSERT INTO craft_villages (ref, name, name_ascii, craft, source, geom) VALUES"
        " (%s, %s, %s, 'ceramics', 'test', ST_SetSRID(ST_MakePoint(105.92, 20.97), 4326))",
        REF,
        name,
        fold(name),
    )


def test_public_reads_are_served_by_the_replica_after_replay(app, replica_settings, replica):
    server = replica_settings.model_copy(update={"pg_database": "postgres"})
    pool = app.extensions[REPLICA]
    client = app.test_client()
    assert _names(client) == []
    assert pool.served >= 1 and pool.fallbacks == 0
    sessions = _on_replica(
        server,
        replica,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
        replica_settings.pg_database,
        "langnghe-web-replica",
    )
    assert sessions[0][0] >= 1  # the web's pool really is connected to the replica
    assert _on_replica(server, replica, "SELECT pg_is_in_recovery()") == [(True,)]

    _on_replica(server, replica, "SELECT pg_wal_replay_pause()")
    try:
        _insert_village(replica_settings, "Làng Bản Sao")
        assert _names(client) == []  # the replica has not replayed the row yet: it answered
        # tiles and search read there too
        assert client.get("/search?q=ban sao").get_json()["results"] == []
    finally:
        _on_replica(server, replica, "SELECT pg_wal_replay_resume()")
    replicas.wait_replayed(server, replica)
    assert _names(client) == ["Làng Bản Sao"]  # the primary's row, from the replica
    found = client.get("/search?q=ban sao").get_json()["results"]
    assert [r["name"] for r in found] == ["Làng Bản Sao"]
    tile = client.get("/tiles/villages/10/826/459.pbf")
    assert tile.status_code == 200
    assert pool.fallbacks == 0 and pool.served >= 5
    # every view marked public_read runs on a read-only server (it writes nothing)
    served = pool.served
    for path in PUBLIC_READS:
        assert client.get(path).status_code == 200, path
    square = [[105.7, 20.9], [106.0, 20.9], [106.0, 21.2], [105.7, 21.2], [105.7, 20.9]]
    within = client.post("/api/within", json={"type": "Polygon", "coordinates": [square]})
    assert within.status_code == 200
    assert (pool.served, pool.fallbacks) == (served + len(PUBLIC_READS) + 1, 0)


PUBLIC_READS = (
    "/collections",
    "/collections/villages",
    "/collections/villages/items/1",
    "/api/choropleth",
    "/api/stations/latest",
    "/api/stations/1/series?parameter=PM2.5&days=30",
    "/api/crafts",
)


def test_a_read_after_the_callers_own_write_goes_to_the_primary(
    app, replica_settings, replica, accounts
):
    server = replica_settings.model_copy(update={"pg_database": "postgres"})
    pool = app.extensions[REPLICA]
    editor, stranger = app.test_client(), app.test_client()
    h = {**bearer(accounts["planner"]), "Content-Type": "application/geo+json"}
    made = editor.post("/collections/villages/items", data=json.dumps(VILLAGE), headers=h)
    assert made.status_code == 201
    assert editor.get_cookie(WAL_COOKIE) is not None  # the write's WAL position
    replicas.wait_replayed(server, replica)
    path = "/" + made.headers["Location"].split("://", 1)[1].split("/", 1)[1]
    item = editor.get(path)  # replayed: the replica answers and the cookie is dropped
    assert item.status_code == 200 and editor.get_cookie(WAL_COOKIE) is None

    _on_replica(server, replica, "SELECT pg_wal_replay_pause()")
    try:
        patch = {"type": "Feature", "properties": {"name": "Làng Bản Sao (sửa)"}}
        edited = editor.patch(
            path, data=json.dumps(patch), headers={**h, "If-Match": item.headers["ETag"]}
        )
        assert edited.status_code == 204
        served, behind = pool.served, pool.behind
        # the editor reads its own write (from the primary); others still see the replica's
        assert _names(editor) == ["Làng Bản Sao (sửa)"]
        assert editor.get(path).headers["ETag"] == edited.headers["ETag"]
        # the replica was only asked whether it had replayed the write: not yet
        assert (pool.served, pool.behind) == (served, behind + 2)
        assert _names(stranger) == ["Làng Bản Sao"]
        assert editor.get_cookie(WAL_COOKIE) is not None
    finally:
        _on_replica(server, replica, "SELECT pg_wal_replay_resume()")
    replicas.wait_replayed(server, replica)
    served = pool.served
    assert _names(editor) == ["Làng Bản Sao (sửa)"]
    assert pool.served == served + 1  # caught up: the replica serves the editor again
    assert editor.get_cookie(WAL_COOKIE) is None


def _read_loop(client, stop: threading.Event, failures: list, count: list[int]) -> None:
    paths = (
        f"/collections/villages/items?ref={REF}",
        "/tiles/villages/10/826/459.pbf",
        "/search?q=bat trang",
        "/collections/clusters/items?limit=5",
    )
    while not stop.is_set():
        for path in paths:
            started = time.monotonic()
            answer = client.get(path)
            count[0] += 1
            if answer.status_code != 200:
                failures.append((path, answer.status_code, answer.data[:200]))
            elif time.monotonic() - started > 3.0:  # no request waits for the replica
                failures.append((path, "slow", time.monotonic() - started))


def test_replica_down_reads_fall_back_to_the_primary_then_come_back(
    app, replica_settings, replica, caplog
):
    server = replica_settings.model_copy(update={"pg_database": "postgres"})
    pool = app.extensions[REPLICA]
    _insert_village(replica_settings, "Làng Bản Sao")
    replicas.wait_replayed(server, replica)
    client = app.test_client()
    assert _names(client) == ["Làng Bản Sao"] and not pool.down
    caplog.set_level(logging.INFO, logger="gis.db")

    stop, failures, count = threading.Event(), [], [0]
    reader = threading.Thread(target=_read_loop, args=(app.test_client(), stop, failures, count))
    reader.start()
    try:
        time.sleep(1.0)
        replicas.stop_replica(server, replica)  # fast: its sessions are ended mid-query
        time.sleep(2.0)
        down_at = count[0]
        time.sleep(3.0)
    finally:
        stop.set()
        reader.join(timeout=60)
    assert failures == []
    assert count[0] - down_at >= 4  # reads went on while the replica was down
    assert pool.down and pool.fallbacks >= 4
    assert _names(client) == ["Làng Bản Sao"]  # from the primary
    warnings = [r for r in caplog.records if "does not answer" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in caplog.records]

    replicas.resume_replica(server, replica)
    time.sleep(replica_settings.replica_retry_s + 0.2)  # the back-off ends
    served = pool.served
    assert _names(client) == ["Làng Bản Sao"]
    assert pool.served == served + 1 and not pool.down
    assert any("answers again" in r.getMessage() for r in caplog.records)


def test_a_server_process_reads_from_the_replica_named_by_database_replica_url(
    replica_settings, replica, tmp_path
):
    url = replica_settings.database_replica_url
    env = {"DATABASE_REPLICA_URL": url, "LANGNGHE_BASEMAP_URL": ""}
    proc, base = start_server(
        replica_settings.model_copy(update={"database_replica_url": None}), tmp_path / "log", **env
    )
    try:
        with urllib.request.urlopen(base + "/collections/villages/items?limit=2") as answer:
            assert len(json.load(answer)["features"]) == 2
        with urllib.request.urlopen(base + "/healthz") as answer:
            health = json.load(answer)["replica"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert health["served"] >= 1 and health["fallbacks"] == 0 and not health["down"]


def test_production_refuses_a_replica_url_with_a_superuser(replica_settings, replica, databases):
    from gis.errors import InsecureDatabaseError

    superuser = replica_settings.model_copy(
        update={"database_replica_url": replica.url(databases.server, role="admin")}
    )
    with pytest.raises(InsecureDatabaseError, match="db.superuser_role"):
        create_app(superuser.model_copy(update={"environment": "production"}))


def test_connections_carry_the_tcp_keepalives_of_the_settings(replica_settings):
    """The kernel probes an idle connection and drops it when the peer is gone (no RST)."""
    settings = replica_settings.model_copy(
        update={
            "db_keepalives_idle_s": 17,
            "db_keepalives_interval_s": 4,
            "db_keepalives_count": 6,
            "db_tcp_user_timeout_ms": 12_345,
        }
    )
    app = create_app(settings)
    primary, pool = app.extensions["langnghe_db"], app.extensions[REPLICA]
    conns = [primary.getconn(), pool.getconn(), connect(settings)]
    try:
        for conn in conns:
            assert conn is not None
            with socket.socket(fileno=os.dup(conn.fileno())) as sock:
                assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 17
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == 4
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 6
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 12_345
    finally:
        primary.putconn(conns[0])
        pool.putconn(conns[1])
        conns[2].close()
        primary.close()


def _replica_processes(replica: replicas.ReplicaCluster) -> list[int]:
    """The replica's postmaster and its children (backends, WAL receiver, startup, ...)."""
    postmaster = int((replica.pgdata / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == postmaster:
            pids.append(int(stat.parent.name))
    return pids


def _timed_reads(client, stop: threading.Event, reads: list, failures: list) -> None:
    paths = (f"/collections/villages/items?ref={REF}", "/search?q=ban sao")
    while not stop.is_set():
        for path in paths:
            started = time.monotonic()
            answer = client.get(path)
            reads.append((started, time.monotonic() - started))
            if answer.status_code != 200:
                failures.append((path, answer.status_code, answer.data[:200]))


def test_a_frozen_replica_is_cut_off_and_its_reads_served_by_the_primary_in_time(
    app, replica_settings, replica, caplog
):
    """SIGSTOP on every process of the replica, under a read loop, then SIGCONT.

    A stopped server keeps its sockets open and the kernel still acknowledges what is sent, as
    with a frozen host or a network gone without a reset: no error ever comes by itself. Each
    read must still end within ``replica_stall_s + replica_connect_timeout_s`` (plus the time
    the primary takes on a busy machine), without an error, and the replica serve again after.
    """
    server = replica_settings.model_copy(update={"pg_database": "postgres"})
    pool = app.extensions[REPLICA]
    _insert_village(replica_settings, "Làng Bản Sao")
    replicas.wait_replayed(server, replica)
    client = app.test_client()
    assert _names(client) == ["Làng Bản Sao"] and not pool.down
    caplog.set_level(logging.INFO, logger="gis.db")
    stated = replica_settings.replica_stall_s + replica_settings.replica_connect_timeout_s
    frozen_for = 2 * stated + replica_settings.replica_retry_s

    stop, reads, failures = threading.Event(), [], []
    reader = threading.Thread(target=_timed_reads, args=(app.test_client(), stop, reads, failures))
    reader.start()
    pids = _replica_processes(replica)
    assert len(pids) >= 4  # postmaster, startup, WAL receiver, the web's connections, ...
    try:
        time.sleep(1.0)
        served = pool.served
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        frozen_at = time.monotonic()
        time.sleep(frozen_for)
        cut, down = pool.cut, pool.down
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        stop.set()
        reader.join(timeout=60)
    thawed_at = time.monotonic()
    assert failures == []
    assert served >= 1 and cut >= 1 and down  # it served, then its connections were cut
    during = [seconds for started, seconds in reads if frozen_at - 1 < started < thawed_at]
    slowest = max(during)
    # the first reads waited on the frozen replica; none waited longer than stated
    assert replica_settings.replica_stall_s <= slowest <= stated + 3.0, during
    assert len(during) >= 10  # reads went on, from the primary
    warnings = [r for r in caplog.records if "does not answer" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in caplog.records]

    replicas.wait_streaming(server, replica)
    time.sleep(replica_settings.replica_retry_s + 0.2)  # the back-off ends
    served = pool.served
    assert _names(client) == ["Làng Bản Sao"]
    assert pool.served == served + 1 and not pool.down
