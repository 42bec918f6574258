"""Finding 12 of issue 13: after sign-in, ``next`` only leads to a path of this site."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests.webmap.conftest import PASSWORDS

pytestmark = pytest.mark.postgis

#: Raw query strings: tab, newline, backslash and scheme tricks browsers read as another host.
HOSTILE = [
    "/%09/evil.example",
    "/%0A/evil.example",
    "/%0D%0A/evil.example",
    "/%5Cevil.example",
    "%5C%5Cevil.example",
    "//evil.example",
    "https://evil.example/",
    "/%00/evil.example",
    "javascript:alert(1)",
]


def _browser_target(location: str) -> str:
    """Where a browser goes: WHATWG URL parsing drops tab/CR/LF and reads ``\\`` as ``/``."""
    cleaned = re.sub(r"[\t\r\n]", "", location).replace("\\", "/")
    return urljoin("http://langnghe.example/login", cleaned)


def test_next_never_leaves_the_site(client, accounts):
    def form() -> dict[str, str]:  # each sign-in rotates the session and its CSRF token
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"',
            client.get("/login").get_data(as_text=True),
        ).group(1)
        return {"username": "planner", "password": PASSWORDS["planner"], "csrf_token": token}

    for target in HOSTILE:
        response = client.post("/login?next=" + target, data=form())
        if response.status_code == 400:  # refused outright (NUL, control characters): no redirect
            assert "Location" not in response.headers, target
            continue
        assert response.status_code == 302, target
        where = urlsplit(_browser_target(response.headers["Location"]))
        assert (where.scheme, where.netloc) == ("http", "langnghe.example"), (target, where)
        assert response.headers["Location"] == "/", target
    kept = client.post("/login?next=/tour%3Flang%3Den", data=form())
    assert kept.headers["Location"] == "/tour?lang=en"
