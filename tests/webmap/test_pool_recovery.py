"""Finding 11 of issue 13: pooled connections the server closed (a restart, an idle timeout)
are checked before use, so the next request is answered instead of a 503."""

from __future__ import annotations

import time

import psycopg2
import pytest

from gis.db import Database

pytestmark = pytest.mark.postgis


def _terminate(settings, pids: list[int]) -> None:
    """End these backends as the server would at a restart (as the cluster's superuser)."""
    killer = psycopg2.connect(settings.dsn(role="admin"))
    killer.autocommit = True
    with killer.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,))
        for _ in range(100):
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,))
            if cur.fetchone()[0] == 0:
                break
            time.sleep(0.05)
    killer.close()


def test_pool_replaces_connections_the_server_closed(settings):
    db = Database(settings, minconn=3, maxconn=3)
    held = [db.getconn() for _ in range(3)]
    pids = [conn.info.backend_pid for conn in held]
    for conn in held:
        db.putconn(conn)
    _terminate(settings, pids)
    for _ in range(3):
        conn = db.getconn()
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
            assert cur.fetchone() == (1,)
        assert conn.info.backend_pid not in pids
        conn.rollback()
        db.putconn(conn)
    db.close()


def test_web_answers_right_after_its_connections_were_cut(web_settings):
    from webmap.app import create_app

    app = create_app(web_settings)
    client = app.test_client()
    try:
        assert client.get("/healthz").status_code == 200
        pool = app.extensions["langnghe_db"]._pool
        pids = [conn.info.backend_pid for conn in pool._pool]
        assert pids
        _terminate(web_settings, pids)
        for _ in range(3):
            assert client.get("/healthz").status_code == 200
    finally:
        app.extensions["langnghe_db"].close()


def test_a_request_waits_for_a_connection_when_all_are_lent(settings):
    """Every connection lent: the next borrower waits for one to come back (psycopg2's pool
    raised "connection pool exhausted" at once, a 500 for a page's parallel requests), and one
    that waits too long gets the server-busy error (a 503); a pool that must not wait (the
    replica's: its reads go to the primary) raises at once."""
    import threading

    from gis.errors import DatabaseUnavailableError

    db = Database(settings, minconn=1, maxconn=2, wait_s=10.0)
    try:
        held = [db.getconn(), db.getconn()]
        got: list[float] = []

        def borrow() -> None:
            start = time.monotonic()
            conn = db.getconn()
            got.append(time.monotonic() - start)
            db.putconn(conn)

        waiter = threading.Thread(target=borrow)
        waiter.start()
        time.sleep(0.5)
        assert not got  # still waiting: no connection came back
        db.putconn(held.pop())
        waiter.join(timeout=10)
        assert got and 0.4 < got[0] < 5, got
        db.wait_s = 0.3
        other = db.getconn()
        with pytest.raises(DatabaseUnavailableError) as busy:
            db.getconn()
        assert busy.value.message.code == "db.busy"
        db.putconn(other)
        db.wait_s = 0.0
        both = [db.getconn()]
        with pytest.raises(psycopg2.pool.PoolError):
            db.getconn()
        db.putconn(both[0])
        db.putconn(held.pop())
        db.putconn(db.getconn())  # every slot came back
    finally:
        db.close()
