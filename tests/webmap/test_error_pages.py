"""Pages for people (issue 16, item 8): a signed-out visitor who opens a report or an admin
page gets the sign-in page and comes back after; unknown addresses get an HTML 404 page in
the visitor's language; the API keeps answering JSON.
"""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.webmap.conftest import PASSWORDS, SCREENSHOTS

pytestmark = pytest.mark.postgis

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _h1(body: str) -> list[str]:
    return re.findall(r"<h1>(.*?)</h1>", body)


def test_unknown_address_is_a_page_in_the_visitors_language(client):
    vi = client.get("/khong-co-trang-nay?lang=vi", headers=HTML)
    assert vi.status_code == 404 and vi.content_type.startswith("text/html")
    body = vi.get_data(as_text=True)
    assert _h1(body) == ["Không tìm thấy trang"] and "Not Found" not in body
    assert "Page not found" not in body and "http.404" not in body
    en = client.get("/no-such-page?lang=en", headers=HTML)
    assert en.status_code == 404 and _h1(en.get_data(as_text=True)) == ["Page not found"]


def test_the_api_keeps_json(client):
    for path in ("/api/no-such-thing", "/collections/no-such-layer", "/no-such-page"):
        answer = client.get(path, headers={"Accept": "application/json"})
        assert answer.status_code == 404 and answer.is_json, path
    # a browser asking an API address still gets JSON, in its language
    api = client.get("/api/no-such-thing", headers={**HTML, "Accept-Language": "vi"})
    assert api.is_json and api.get_json()["description"] == "Không tìm thấy trang"
    missing = client.get("/collections/no-such-layer", headers=HTML)
    assert missing.is_json


def test_signed_out_visitor_is_sent_to_sign_in(client):
    for path in ("/admin/audit", "/scenarios/1/report", "/admin/audit?lang=en"):
        answer = client.get(path, headers=HTML)
        assert answer.status_code == 302, path
        assert answer.headers["Location"].startswith("/login?next=/"), path
    # a script (no HTML wanted) still gets a 401 it can act on
    assert client.get("/admin/audit").status_code == 401


def test_wrong_role_gets_a_page_that_says_so(client):
    login = client.get("/login?lang=vi")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login.get_data(True))
    assert token is not None
    signed = client.post(
        "/login?next=/admin/audit",
        data={
            "username": "planner",
            "password": PASSWORDS["planner"],
            "csrf_token": token.group(1),
        },
    )
    assert signed.status_code == 302
    page = client.get("/admin/audit", headers=HTML)
    assert page.status_code == 403 and page.content_type.startswith("text/html")
    assert "vai trò" in page.get_data(as_text=True)


def test_report_link_comes_back_after_sign_in(browser, live_server):
    """In Chromium: open the admin page signed out, sign in, land on the admin page."""
    browser.delete_all_cookies()
    browser.get(f"{live_server}/admin/audit?lang=vi")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "username"))
    assert "/login" in browser.current_url and "next=" in browser.current_url
    browser.find_element(By.ID, "username").send_keys("admin")
    browser.find_element(By.ID, "password").send_keys(PASSWORDS["admin"])
    browser.find_element(By.ID, "sign-in").click()
    WebDriverWait(browser, 30).until(lambda d: "/admin/audit" in d.current_url)
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "who"))
    browser.get(f"{live_server}/trang-khong-ton-tai?lang=vi")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "error-page"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Không tìm thấy trang"
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "Not Found" not in text and "404" not in browser.find_element(By.TAG_NAME, "h1").text
    browser.set_window_size(360, 780)
    browser.save_screenshot(str(SCREENSHOTS / "error_404_vi_360.png"))
    browser.set_window_size(1280, 900)
