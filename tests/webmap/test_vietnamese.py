"""A Vietnamese reader sees Vietnamese: no raw message code, no English sentence of the catalogue.

The needles are every message code and every English sentence of the catalogue (a fragment of
three words or more between a template's fields) whose Vietnamese text differs. They are
looked for in the Vietnamese pages and in the text of Vietnamese JSON answers: a tour plan
with dropped stops and an import rejected row by row.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from tests.webmap.conftest import bearer
from webmap.messages import TEXTS

pytestmark = pytest.mark.postgis

PO = Path(__file__).resolve().parents[2] / "webmap/translations/vi/LC_MESSAGES/messages.po"


def _english_sentences() -> set[str]:
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    found = set()
    for m in catalog:
        if not m.id or not isinstance(m.id, str) or not m.string or m.string == m.id:
            continue
        for fragment in re.split(r"\{[a-z_0-9]*\}", m.id):
            fragment = fragment.strip(" ,;:.()'")
            if len(re.findall(r"[A-Za-z]{2,}", fragment)) >= 3 and len(fragment) >= 12:
                found.add(fragment)
    return found


ENGLISH = _english_sentences()
CODES = set(TEXTS)


def _untranslated(text: str) -> list[str]:
    bad = [code for code in CODES if re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text)]
    return bad + [sentence for sentence in ENGLISH if sentence in text]


def _texts(value: Any) -> Iterator[str]:
    """The strings of a JSON answer a reader sees: all but the codes and raw parameters."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key not in ("code", "params"):
                yield from _texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _texts(inner)
    elif isinstance(value, str):
        yield value


def test_the_needles_are_real():
    assert "closed (or open too briefly) on that day" in ENGLISH
    assert "tour.dropped_budget" in CODES and len(ENGLISH) > 100
    assert _untranslated("dòng 3: tour.no_stops") == ["tour.no_stops"]
    assert _untranslated("Lịch trình của bạn") == []


@pytest.mark.parametrize("page", ["/", "/environment", "/tour"])
def test_vietnamese_pages_show_no_code_and_no_english_sentence(client, page):
    response = client.get(page + "?lang=vi")
    assert response.status_code == 200
    assert _untranslated(response.get_data(as_text=True)) == []


def test_a_vietnamese_tour_plan_says_why_in_vietnamese(client):
    response = client.get(
        "/api/tour?villages=HN-BAT-TRANG,HN-KIM-LAN&date=2026-11-23&budget=30&lang=vi"
    )
    plan = response.get_json()
    assert response.status_code == 200 and plan["dropped"], plan
    reason = plan["dropped"][0]["reason"]
    assert reason["code"].startswith("tour.dropped_") and reason["text"]
    assert plan["method"]["code"].startswith("tour.method_") and plan["method"]["text"]
    assert [t for t in _texts(plan) if _untranslated(t)] == []
    english = client.get(
        "/api/tour?villages=HN-BAT-TRANG,HN-KIM-LAN&date=2026-11-23&budget=30&lang=en"
    ).get_json()
    assert english["dropped"][0]["reason"]["text"] != reason["text"]
    printable = client.get(
        "/tour/print?villages=HN-BAT-TRANG,HN-KIM-LAN&date=2026-11-23&budget=30&lang=vi"
    ).get_data(as_text=True)
    assert reason["text"] in printable


def test_a_vietnamese_import_rejection_names_rows_in_vietnamese(web_settings, accounts):
    from webmap.app import create_app

    client = create_app(web_settings).test_client()
    bad = (
        "station_ref,observed_at,parameter,value,unit\n"
        "SYN-AIR-BAT-TRANG,2026-12-01 01:00,PM2.5,lots,µg/m3\n"
        "SYN-AIR-BAT-TRANG,2026-02-30 02:00,PM2.5,12,µg/m3\n"
        "NO-SUCH-STATION,2026-12-01 03:00,PM2.5,12,furlongs\n"
    )
    response = client.post(
        "/api/measurements",
        data={"file": (io.BytesIO(bad.encode()), "bad.csv"), "dry_run": "1"},
        content_type="multipart/form-data",
        headers={**bearer(accounts["env_officer"]), "Accept-Language": "vi"},
    )
    body = response.get_json()
    assert response.status_code == 400, body
    assert body["message"]["code"] == "measurements.rows_unreadable"
    assert "dòng 1, cột value: không phải số: 'lots'" in body["description"]
    assert body["message"]["text"] == body["description"]
    assert [t for t in _texts(body) if _untranslated(t)] == []
    partial = client.post(
        "/api/measurements",
        data={"file": (io.BytesIO(bad.encode()), "bad.csv"), "dry_run": "1", "partial": "1"},
        content_type="multipart/form-data",
        headers={**bearer(accounts["env_officer"]), "Accept-Language": "vi"},
    ).get_json()
    reasons = [p["reason"] for p in partial["problems"]]
    assert reasons and all(r["code"] and r["text"] for r in reasons), partial
    assert [t for t in _texts(partial) if _untranslated(t)] == []
