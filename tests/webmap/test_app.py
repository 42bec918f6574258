"""The minimal page and the real development server."""

from __future__ import annotations

import socket
import subprocess

import pytest

from tests.support import executable, wait_for_http


@pytest.mark.postgis
def test_pages_speak_both_languages(client):
    for path in ("/", "/environment", "/tour"):
        vi = client.get(path + "?lang=vi").get_data(as_text=True)
        en = client.get(path + "?lang=en").get_data(as_text=True)
        assert '<html lang="vi">' in vi and '<html lang="en">' in en
        assert "Quy hoạch" in vi and "Planning" in en
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "Planner map" in page.get_data(as_text=True)
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and "craft_villages" in health["layer_versions"]


def test_every_vietnamese_message_is_translated():
    from babel.messages.pofile import read_po

    from webmap.i18n import TRANSLATIONS

    with (TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 50 and all(m.string and not m.fuzzy for m in messages)


def test_no_asset_comes_from_a_cdn():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "webmap"
    pattern = re.compile(
        r"https?://[^\"' ]*(unpkg|jsdelivr|cdnjs|googleapis|bootstrapcdn|cloudflare)"
    )
    offenders = [
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix in {".html", ".js", ".css", ".py"}
        and pattern.search(p.read_text(encoding="utf-8", errors="ignore"))
    ]
    assert offenders == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.postgis
def test_langnghe_serve_answers_on_a_real_socket(test_env):
    port = _free_port()
    proc = subprocess.Popen(
        [executable("langnghe"), "serve", "--port", str(port)],
        env=test_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = wait_for_http(f"http://127.0.0.1:{port}/", proc).decode("utf-8")
        assert "LangNghe GIS" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_catalog_covers_every_message_in_the_code(tmp_path):
    import subprocess
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            executable("pybabel"),
            "extract",
            "-F",
            str(root / "babel.cfg"),
            "-o",
            str(pot),
            str(root / "webmap"),
            str(root / "layers"),  # the layer declarations' titles are marked there
        ],
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with (root / "webmap/translations/vi/LC_MESSAGES/messages.po").open("rb") as fh:
        have = {m.id for m in read_po(fh) if m.id and m.string}
    assert wanted - have == set()
