"""Finding 9 of issue 13: ``/api/exceedances`` reads a bounded time window (by the time
index), pages its answer, caches it until the measurements change, and is rate limited."""

from __future__ import annotations

import pytest

from gis.db import connect
from webmap import data_api
from webmap.app import create_app

pytestmark = pytest.mark.postgis


@pytest.fixture
def counted(monkeypatch):
    """Every call of the analysis, with its window."""
    calls = []
    real = data_api.find_exceedances

    def counting(conn, folder, **kwargs):
        calls.append(kwargs)
        return real(conn, folder, **kwargs)

    monkeypatch.setattr(data_api, "find_exceedances", counting)
    return calls


@pytest.fixture
def app_client(web_settings):
    app = create_app(web_settings.model_copy(update={"rate_heavy": "1000 per minute"}))
    yield app.test_client()
    app.extensions["langnghe_db"].close()


def test_window_is_bounded_and_too_wide_is_refused(app_client, counted):
    answer = app_client.get("/api/exceedances").get_json()
    assert counted[0]["start"] is not None and counted[0]["end"] is not None
    span = counted[0]["end"] - counted[0]["start"]
    assert 30 <= span.days <= 31
    assert answer["since"] and answer["until"]
    wide = app_client.get("/api/exceedances?since=2020-01-01&until=2026-01-01")
    assert wide.status_code == 400 and "366" in wide.get_json()["description"]
    backwards = app_client.get("/api/exceedances?since=2026-02-01&until=2026-01-01")
    assert backwards.status_code == 400
    # an offset PostgreSQL would refuse (beyond 15:59) is read as the same instant in UTC
    far = app_client.get(
        "/api/exceedances",
        query_string={"since": "2026-01-01T00:00-22:00", "until": "2026-01-20T00:00+00:00"},
    )
    assert far.status_code == 200, far.get_data(as_text=True)


def test_pages_and_cache_until_the_measurements_change(app_client, counted, web_settings):
    window = "since=2026-09-01&until=2026-11-01"
    first = app_client.get(f"/api/exceedances?{window}&limit=2").get_json()
    total = first["total"]
    assert total >= 3, "the sample has exceedances in October 2026"
    assert first["count"] == 2 and first["links"][0]["rel"] == "next"
    second = app_client.get(first["links"][0]["href"]).get_json()
    both = app_client.get(f"/api/exceedances?{window}&limit=4").get_json()
    assert first["exceedances"] + second["exceedances"] == both["exceedances"]
    assert len(counted) == 1  # one reading of the measurements served all three pages
    conn = connect(web_settings)
    with conn.cursor() as cur:
        cur.execute("UPDATE measurements SET source = source WHERE false")  # a write: new version
    conn.commit()
    conn.close()
    app_client.get(f"/api/exceedances?{window}&limit=2")
    assert len(counted) == 2


def test_anonymous_reads_are_rate_limited(web_settings):
    app = create_app(web_settings.model_copy(update={"rate_heavy": "3 per minute"}))
    client = app.test_client()
    try:
        codes = [client.get("/api/exceedances").status_code for _ in range(4)]
    finally:
        app.extensions["langnghe_db"].close()
    assert codes == [200, 200, 200, 429]
