"""Finding 10 of issue 13: under gunicorn an unexpected error is logged, with the request id
that the 500 body and the ``X-Request-ID`` header give the user."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.support import database_env
from tests.webmap.conftest import ROOT, _free_port

pytestmark = pytest.mark.postgis


@pytest.fixture
def gunicorn(web_settings, tmp_path):
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = database_env(web_settings, LANGNGHE_BASEMAP_URL="")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-w", "4", "-b", f"127.0.0.1:{port}"]
            + ["tests.webmap.crash_app:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.terminate()
        pytest.fail("gunicorn did not start: " + log.read_text())
    yield base, log
    proc.terminate()
    proc.wait(timeout=20)


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def test_unexpected_error_under_gunicorn_is_logged_with_its_request_id(gunicorn):
    base, log = gunicorn
    status, headers, body = _get(base + "/_test/crash")
    assert status == 500 and body["code"] == "ServerError"
    rid = body["request_id"]
    assert len(rid) >= 8 and headers["X-Request-ID"] == rid and rid in body["description"]
    assert "boom" not in json.dumps(body)  # the detail stays in the log
    given = "proxy-abc-123456"
    status, headers, body = _get(base + "/_test/crash", {"X-Request-ID": given})
    assert status == 500 and body["request_id"] == given == headers["X-Request-ID"]
    status, headers, _ = _get(base + "/healthz", {"X-Request-ID": "bad id\twith tab"})
    assert status == 200 and headers["X-Request-ID"] != "bad id\twith tab"
    for _ in range(50):
        text = log.read_text()
        if given in text:
            break
        time.sleep(0.1)
    lines = text.splitlines()
    logged = [line for line in lines if rid in line and "unexpected error" in line]
    assert logged and f"[{rid}]" in logged[0], text[-3000:]
    assert "RuntimeError: boom" in text
    assert any(given in line and "ERROR" in line for line in lines)
