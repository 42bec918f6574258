"""Accounts and roles: every write endpoint x every role.

Also CSRF on cookie sessions, tokens and the users CLI.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from gis.db import connect
from tests.support import executable
from tests.webmap.conftest import PASSWORDS, bearer
from webmap.app import create_app

pytestmark = pytest.mark.postgis
BBOX = [105.93, 21.10, 105.95, 21.12]

#: (method, url, JSON body, roles allowed besides admin, success statuses)
WRITES = [
    (
        "POST",
        "/api/siting",
        {
            "bbox": BBOX,
            "cell_m": 200,
            "criteria": ["village_distance_m"],
            "weights": {"village_distance_m": 1},
        },
        ("planner",),
        (202,),
    ),
    (
        "POST",
        "/api/allocate",
        {"p": 1, "capacity": False, "bbox": [105.8, 20.9, 106.2, 21.3]},
        ("planner",),
        (202,),
    ),
    (
        "POST",
        "/api/check-cluster",
        {"ref": "CCN-HN-BAT-TRANG", "save_as": "role test"},
        ("planner",),
        (200,),
    ),
    ("DELETE", "/api/scenarios/{scenario}", None, ("planner",), (200,)),
]
READS_SIGNED_IN = ["/api/scenarios", "/api/siting/inputs"]


def _state(settings) -> tuple:
    conn = connect(settings)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT (SELECT count(*) FROM scenarios), (SELECT count(*) FROM jobs), "
            "(SELECT count(*) FROM scenario_features)"
        )
        out = cur.fetchone()
    conn.close()
    return out


def _scenario(settings) -> int:
    conn = connect(settings)
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO scenarios (kind, name, created_by)"
            " VALUES ('compliance', 'to delete', 'planner') RETURNING id"
        )
        (sid,) = cur.fetchone()
    conn.commit()
    conn.close()
    return sid


def _finish(client, url: str, headers: dict) -> None:
    import time

    for _ in range(600):
        if client.get(url, headers=headers).get_json()["status"] in ("done", "failed"):
            return
        time.sleep(0.1)
    raise AssertionError(f"job {url} did not finish")


@pytest.fixture
def app_client(web_settings, accounts):
    app = create_app(web_settings)
    yield app.test_client()
    app.extensions["langnghe_db"].close()


@pytest.mark.parametrize("method,url,body,allowed,ok", WRITES, ids=[w[1] for w in WRITES])
def test_every_write_endpoint_by_every_role(
    app_client, web_settings, accounts, method, url, body, allowed, ok
):
    for role in (None, "env_officer", "planner", "admin"):
        target = url.format(scenario=_scenario(web_settings)) if "{scenario}" in url else url
        before = _state(web_settings)
        headers = bearer(accounts[role]) if role else {}
        response = app_client.open(target, method=method, json=body, headers=headers)
        if role is None:
            assert response.status_code == 401, (role, response.get_json())
        elif role != "admin" and role not in allowed:
            assert response.status_code == 403, (role, response.get_json())
            assert role in response.get_json()["description"]
        else:
            assert response.status_code in ok, (role, response.get_json())
            if (
                response.status_code == 202
            ):  # let the job finish: it writes, and the next check compares states
                _finish(app_client, response.get_json()["job_url"], headers)
            continue
        after = _state(web_settings)
        # A refused request changes nothing (the scenario made for DELETE is still there).
        assert after == before, (role, method, url)


def test_reads_need_an_account_and_public_pages_do_not(app_client, accounts):
    for url in READS_SIGNED_IN:
        assert app_client.get(url).status_code == 401
        assert app_client.get(url, headers=bearer(accounts["planner"])).status_code == 200
    for url in (
        "/",
        "/tour",
        "/environment",
        "/collections/villages/items?limit=1",
        "/api/exposure",
    ):
        assert app_client.get(url).status_code == 200, url
    assert app_client.get("/api/scenarios", headers=bearer("lng_not-a-token")).status_code == 401


def test_login_sessions_and_csrf(app_client, accounts):
    page = app_client.get("/login?lang=en")  # the language is remembered in a cookie
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)
    ).group(1)
    bad = app_client.post(
        "/login", data={"username": "planner", "password": "wrong-password", "csrf_token": token}
    )
    assert bad.status_code == 401 and "Wrong user name or password" in bad.get_data(as_text=True)
    no_csrf = app_client.post(
        "/login", data={"username": "planner", "password": PASSWORDS["planner"]}
    )
    assert no_csrf.status_code in (
        200,
        400,
    )  # the form is shown again: no session without the token
    assert app_client.get("/api/scenarios").status_code == 401
    good = app_client.post(
        "/login?next=/tour",
        data={"username": "planner", "password": PASSWORDS["planner"], "csrf_token": token},
    )
    assert good.status_code == 302 and good.headers["Location"].endswith("/tour")
    assert app_client.get("/api/scenarios").status_code == 200  # the session cookie works
    # The header names the role in the page's language, never the stored role code.
    english = app_client.get("/tour?lang=en").get_data(as_text=True)
    assert '<span id="who">planner (Planner)</span>' in english
    vietnamese = app_client.get("/tour?lang=vi").get_data(as_text=True)
    assert '<span id="who">planner (Cán bộ quy hoạch)</span>' in vietnamese
    app_client.get("/tour?lang=en")
    # With the session cookie, an unsafe request without the CSRF header is refused,
    # with it accepted.
    refused = app_client.post("/api/check-cluster", json={"ref": "CCN-HN-BAT-TRANG"})
    body = refused.get_json()
    assert refused.status_code == 400 and body["code"] == "CSRFError"
    assert body["message"]["code"] == "http.csrf"
    meta = re.search(
        r'name="csrf-token" content="([^"]+)"', app_client.get("/").get_data(as_text=True)
    ).group(1)
    accepted = app_client.post(
        "/api/check-cluster", json={"ref": "CCN-HN-BAT-TRANG"}, headers={"X-CSRFToken": meta}
    )
    assert accepted.status_code == 200
    token = re.search(  # sign-in rotated the session: the form has a new CSRF token
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        app_client.get("/login").get_data(as_text=True),
    ).group(1)
    evil = app_client.post(
        "/login?next=//evil.example/",
        data={"username": "planner", "password": PASSWORDS["planner"], "csrf_token": token},
    )
    assert evil.headers["Location"] == "/"  # no open redirect


def test_users_cli_tokens_and_disabling(web_env, web_settings):
    def run(*args, stdin=None):
        return subprocess.run(
            [executable("langnghe"), "users", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=web_env,
            timeout=60,
        )

    assert (
        run(
            "add", "cli-user", "--role", "env_officer", "--password-stdin", stdin="short\n"
        ).returncode
        == 1
    )
    made = run(
        "add", "cli-user", "--role", "env_officer", "--password-stdin", stdin="a-long-password\n"
    )
    assert made.returncode == 0 and "đã tạo người dùng cli-user" in made.stdout
    again = run(
        "add", "cli-user", "--role", "planner", "--password-stdin", stdin="a-long-password\n"
    )
    assert again.returncode == 1 and "đã tồn tại" in again.stderr  # accounts.user_exists, vi
    token = run("token", "cli-user", "--name", "ci").stdout.strip()
    assert token.startswith("lng_") and len(token) > 40
    with connect(web_settings).cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM api_tokens WHERE token_sha256 = encode(sha256(%s::bytea), 'hex')",
            (token,),
        )
        assert cur.fetchone()[0] == 1  # only the hash is stored
        cur.execute("SELECT count(*) FROM api_tokens WHERE token_sha256 = %s", (token,))
        assert cur.fetchone()[0] == 0
    app = create_app(web_settings)
    client = app.test_client()
    assert client.get("/api/scenarios", headers=bearer(token)).status_code == 200
    assert (
        client.post(
            "/api/check-cluster", json={"ref": "CCN-HN-BAT-TRANG"}, headers=bearer(token)
        ).status_code
        == 403
    )
    assert "cli-user" in run("list").stdout
    assert run("revoke", "cli-user").stdout.startswith("đã thu hồi 1 mã truy cập")
    assert client.get("/api/scenarios", headers=bearer(token)).status_code == 401
    token = run("token", "cli-user").stdout.strip()
    assert run("disable", "cli-user").returncode == 0
    assert (
        client.get("/api/scenarios", headers=bearer(token)).status_code == 401
    )  # a disabled user's tokens stop
    app.extensions["langnghe_db"].close()


def test_security_headers(app_client):
    page = app_client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert (
        "default-src 'self'" in csp
        and "script-src 'self'" in csp
        and "frame-ancestors 'none'" in csp
    )
    assert "unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert (
        page.headers["X-Content-Type-Options"] == "nosniff"
        and page.headers["X-Frame-Options"] == "DENY"
    )
    api = app_client.get("/collections")
    assert api.headers["X-Content-Type-Options"] == "nosniff"


def test_measurement_upload_roles_bad_files_and_limits(web_settings, accounts):
    import io

    app = create_app(
        web_settings.model_copy(
            update={"max_upload_bytes": 64 * 1024, "rate_login": "3 per minute"}
        )
    )
    client = app.test_client()
    good = (
        "station_ref,observed_at,parameter,value,unit\n"
        "SYN-AIR-BAT-TRANG,2026-12-01 01:00,PM2.5,41,µg/m3\nSYN-AIR-BAT-TRANG,2026-12-01 "
        "02:00,PM2.5,43,µg/m3\n"
    )

    def send(text: str, role: str | None, name: str = "upload.csv", **form):
        data = {"file": (io.BytesIO(text.encode()), name), **form}
        return client.post(
            "/api/measurements",
            data=data,
            content_type="multipart/form-data",
            headers={**(bearer(accounts[role]) if role else {}), "Accept-Language": "en"},
        )

    def stored() -> int:
        conn = connect(web_settings)
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM measurements WHERE observed_at >= '2026-12-01T00:00+07:00'"
            )
            n = cur.fetchone()[0]
        conn.close()
        return n

    before = stored()
    assert send(good, None).status_code == 401 and send(good, "planner").status_code == 403
    assert stored() == before
    bad = send(good + "SYN-AIR-BAT-TRANG,2026-12-01 03:00,PM2.5,lots,µg/m3\n", "env_officer")
    body = bad.get_json()
    assert (
        bad.status_code == 400
        and "row 3, column value: not a number: 'lots'" in body["description"]
    )
    assert "/tmp" not in body["description"] and stored() == before
    ok = send(good, "env_officer")
    assert (
        ok.status_code == 200
        and ok.get_json()["inserted"] == 2
        and ok.get_json()["path"] == "upload.csv"
    )
    assert (
        send(good, "env_officer").get_json()["unchanged"] == 2
    )  # the same file again changes nothing
    assert send(good, "env_officer", name="upload.xlsx").status_code == 400
    huge = send("x" * (128 * 1024), "env_officer")
    assert huge.status_code == 413
    conn = connect(web_settings)
    with conn.cursor() as cur:
        cur.execute("DELETE FROM measurements WHERE observed_at >= '2026-12-01T00:00+07:00'")
    conn.commit()
    conn.close()
    # Sign-in attempts are rate limited.
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get("/login").get_data(as_text=True),
    ).group(1)
    codes = [
        client.post(
            "/login", data={"username": "x", "password": "y", "csrf_token": token}
        ).status_code
        for _ in range(5)
    ]
    assert codes[-1] == 429 and 429 not in codes[:3]
    app.extensions["langnghe_db"].close()
