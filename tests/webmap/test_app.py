"""The minimal page and the real development server."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request

import pytest

from layers.sample import load_sample
from webmap.app import create_app

pytestmark = pytest.mark.postgis


@pytest.fixture
def client(settings):
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["langnghe_db"].close()


def test_index_lists_layers_in_both_languages(conn, settings, client):
    load_sample(conn, settings, progress=False)
    page = client.get("/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "text/html" in page.content_type
    assert "Làng nghề" in text and "Craft villages" in text
    assert 'id="count-craft_villages">50<' in text
    assert client.get("/healthz").get_json()["layers"]["industrial_clusters"] == 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_langnghe_serve_answers_on_a_real_socket(test_env):
    port = _free_port()
    proc = subprocess.Popen([".venv/bin/langnghe", "serve", "--port", str(port)], env=test_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(0.1)
        assert body is not None and "LangNghe GIS" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
