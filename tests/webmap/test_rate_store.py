"""Rate limits shared by every web process (issue 18, item 2): the ``rate_limits`` table."""

from __future__ import annotations

import time

import pytest
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from gis.db import Database
from webmap.app import create_app
from webmap.rate_store import PostgresStorage

pytestmark = pytest.mark.postgis


def test_two_apps_share_one_count(web_settings):
    """Two apps (two pools, as two processes would have) count the same client together."""
    settings = web_settings.model_copy(update={"rate_heavy": "3 per hour"})
    apps = [create_app(settings), create_app(settings)]
    try:
        clients = [app.test_client() for app in apps]
        codes = [clients[i % 2].get("/api/exceedances").status_code for i in range(4)]
        limited = clients[0].get("/api/exceedances")
    finally:
        for app in apps:
            app.extensions["langnghe_db"].close()
    assert codes == [200, 200, 200, 429]  # in memory each app would have allowed 3 (6)
    assert limited.status_code == 429 and limited.headers["X-RateLimit-Limit"] == "3"


def test_the_storage_counts_windows(web_settings):
    pool = Database(web_settings)
    try:
        storage = storage_from_string("langnghe+postgresql://", database=pool)
        assert isinstance(storage, PostgresStorage) and storage.check()
        limiter = FixedWindowRateLimiter(storage)
        item = RateLimitItemPerSecond(2, 1)
        assert [limiter.hit(item, "client") for _ in range(3)] == [True, True, False]
        assert storage.get(item.key_for("client")) == 3  # the refused hit counted too
        assert storage.get_expiry(item.key_for("client")) <= time.time() + 1.5
        time.sleep(1.2)  # the window ended: a new one starts
        assert limiter.hit(item, "client") and storage.get(item.key_for("client")) == 1
        storage.clear(item.key_for("client"))
        assert storage.get(item.key_for("client")) == 0
        assert storage.incr("other", 60) == 1 and storage.reset() == 1
    finally:
        pool.close()
