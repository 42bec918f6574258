"""Findings 3 and 4 of issue 13: server-side sessions (ended at sign-out, idle and absolute
lifetimes, a new cookie and CSRF token at sign-in, ``Secure`` outside development), and
sign-in failures counted in the database per account and address, seen by every worker."""

from __future__ import annotations

import http.cookiejar
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from gis.db import connect
from tests.support import database_env
from tests.webmap.conftest import PASSWORDS, ROOT, _free_port
from webmap.app import create_app

pytestmark = pytest.mark.postgis
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
META = re.compile(r'name="csrf-token" content="([^"]+)"')


def _forget_failures(settings) -> None:
    conn = connect(settings)
    with conn.cursor() as cur:
        cur.execute("DELETE FROM signin_failures")
    conn.commit()
    conn.close()


@pytest.fixture
def make_client(web_settings, accounts):
    apps = []

    def make(**overrides):
        app = create_app(
            web_settings.model_copy(update={"rate_login": "1000 per minute", **overrides})
        )
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        app.extensions["langnghe_db"].close()
    _forget_failures(web_settings)


def _sign_in(client, password: str = PASSWORDS["planner"], user: str = "planner"):
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"username": user, "password": password, "csrf_token": token}
    )
    return response, token


def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_cookie_replayed_after_sign_out_is_refused(make_client):
    client = make_client()
    signed_in, _ = _sign_in(client)
    assert signed_in.status_code == 302
    stolen = _cookie(client)
    assert client.get("/api/scenarios").status_code == 200
    meta = META.search(client.get("/").get_data(as_text=True)).group(1)
    assert client.post("/logout", headers={"X-CSRFToken": meta}).status_code == 302
    replay = make_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/api/scenarios").status_code == 401


def test_sign_in_rotates_the_cookie_and_the_csrf_token(make_client):
    client = make_client()
    client.get("/login")
    before = _cookie(client)
    _, form_token = _sign_in(client)
    assert _cookie(client) != before
    check = {"ref": "CCN-HN-BAT-TRANG"}
    stale = client.post("/api/check-cluster", json=check, headers={"X-CSRFToken": form_token})
    assert stale.status_code == 400  # the token of the anonymous session died with it
    fresh = META.search(client.get("/").get_data(as_text=True)).group(1)
    assert (
        client.post("/api/check-cluster", json=check, headers={"X-CSRFToken": fresh}).status_code
        == 200
    )
    again = make_client()
    _sign_in(again)
    assert _cookie(again) != _cookie(client)  # each sign-in its own session


def test_idle_and_absolute_lifetimes(make_client):
    idle = make_client(session_idle_s=1)
    _sign_in(idle)
    time.sleep(2.2)
    assert idle.get("/api/scenarios").status_code == 401
    absolute = make_client(session_max_s=3)
    _sign_in(absolute)
    assert absolute.get("/api/scenarios").status_code == 200
    time.sleep(3.5)
    assert absolute.get("/api/scenarios").status_code == 401


def test_secure_cookie_outside_development(make_client):
    production = make_client()
    signed, _ = _sign_in(production)
    assert "Secure" in signed.headers["Set-Cookie"]
    development = make_client(environment="development")
    signed, _ = _sign_in(development)
    assert "Secure" not in signed.headers["Set-Cookie"]


def test_failures_from_one_address_lock_it_whatever_the_account(make_client):
    client = make_client(signin_max_failures=3)
    codes = [_sign_in(client, "wrong-password", f"nobody{i}")[0].status_code for i in range(3)]
    assert codes == [401, 401, 401]
    locked, _ = _sign_in(client)  # the right password, but from the locked address
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0


# --- four gunicorn workers share the count -------------------------------------------------


@pytest.fixture
def gunicorn(web_settings, accounts):
    port = _free_port()
    env = database_env(
        web_settings,
        LANGNGHE_BASEMAP_URL="",
        LANGNGHE_RATE_LOGIN="1000 per minute",  # only the database count may lock
        LANGNGHE_COOKIE_SECURE="false",  # plain http here
    )
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", "4", "-b", f"127.0.0.1:{port}"]
        + ["tests.webmap.crash_app:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield base
    proc.terminate()
    proc.wait(timeout=20)
    _forget_failures(web_settings)


def _post_login(base: str, password: str) -> int:
    """A fresh browser: its own cookie jar and connection, so any worker may answer."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login", timeout=20).read().decode()
    form = {"username": "planner", "password": password, "csrf_token": TOKEN.search(page).group(1)}
    data = urllib.parse.urlencode(form).encode()
    try:
        with opener.open(urllib.request.Request(base + "/login", data=data), timeout=20) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_eleven_wrong_passwords_across_four_workers_lock_the_eleventh(gunicorn):
    codes = [_post_login(gunicorn, "wrong-password") for _ in range(10)]
    assert codes == [401] * 10
    assert _post_login(gunicorn, PASSWORDS["planner"]) == 429  # even the right password
