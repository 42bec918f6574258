"""The environment page's upload shows the import report, in the page's language (Chromium).

The file is a TCVN3 wide file built at test time from the real Hà Nội hourly file (see
``test_upload_report``); screenshots at 360 px and 1,400 px go to
``test-artifacts/screenshots``.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.webmap.conftest import SCREENSHOTS, _check_clean, _open, _sign_in, _sign_out
from tests.webmap.test_upload_report import _file

pytestmark = pytest.mark.postgis

TITLES = {
    "vi": ("Bảng mã", "Cột không đọc", "Đơn vị"),
    "en": ("Encoding", "Columns not read", "Units"),
}


@pytest.mark.parametrize(("lang", "width"), [("vi", 360), ("en", 1400), ("vi", 1400), ("en", 360)])
def test_the_upload_shows_the_report(browser, live_server, real_data, tmp_path, lang, width):
    path = tmp_path / "tram_tcvn3.csv"
    path.write_bytes(_file(real_data))
    browser.set_window_size(width, 1000)
    _sign_in(browser, live_server, "env_officer")
    try:
        _open(browser, f"{live_server}/environment?lang={lang}")
        browser.find_element(By.ID, "upload-file").send_keys(str(path))
        browser.execute_script("document.querySelector('.upload-options').open = true")
        browser.find_element(By.ID, "upload-fields").send_keys(
            "station_ref=Trạm\nobserved_at=Giờ đo"
        )
        browser.find_element(By.ID, "upload-units").send_keys("CO=mg/m3")
        browser.find_element(By.CSS_SELECTOR, "#upload button[type=submit]").click()
        WebDriverWait(browser, 60).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "#upload-report .report-section")
        )
        titles = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#upload-report h3")]
        assert all(t in titles for t in TITLES[lang]), titles
        text = browser.find_element(By.ID, "upload-report").text
        assert "TCVN3 (ABC)" in text and "Nhiệt độ" in text and "CO: mg/m3" in text
        report = browser.find_element(By.ID, "upload-report")
        browser.execute_script("arguments[0].scrollIntoView()", report)
        assert report.size["width"] <= width  # no sideways scrolling on a phone
        browser.save_screenshot(str(SCREENSHOTS / f"upload-report-{lang}-{width}px.png"))
        _check_clean(browser, live_server)
    finally:
        _sign_out(browser, live_server)
