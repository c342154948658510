"""End to end in a real headless Chromium (Debian's chromium + chromium-driver, driven by
Selenium): sign in through the /login/TOKEN link, see the order list, open an order,
download its PDF."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from portal_server import build, start, stop

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists() or not CHROMEDRIVER.exists(),
                       reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver): "
                              "apt-get install -y chromium chromium-driver"),
]


@pytest.fixture
def browser(tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install '.[test]')")
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
        "download.directory_upgrade": True,
        "plugins.always_open_pdf_externally": True,
    })
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def wait_for_file(folder: Path, name: str, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    target = folder / name
    while time.monotonic() < deadline:
        if target.exists() and not list(folder.glob("*.crdownload")) and target.stat().st_size > 0:
            return target
        time.sleep(0.1)
    raise AssertionError(f"{name} was not downloaded; the folder holds {sorted(p.name for p in folder.iterdir())}")


def test_sign_in_browse_and_download_in_chromium(browser, tmp_path):
    from pypdf import PdfReader
    from selenium.webdriver.common.by import By

    portal = start(build(tmp_path / "data"))
    try:
        token = portal.tokens["Acme"]
        browser.get(f"{portal.base}/")
        assert "Sign-in needed" in browser.find_element(By.TAG_NAME, "h1").text

        browser.get(f"{portal.base}/login/{token}")
        assert browser.current_url == f"{portal.base}/"  # redirected: the token is not left in the address bar
        assert browser.find_element(By.TAG_NAME, "h1").text == "Your orders"
        orders = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#orders tr.order td:first-child a")]
        assert orders == ["SO-00004", "SO-00001"]
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "INV-00001" in body and "SO-00002" not in body and "SO-00003" not in body
        [cookie] = browser.get_cookies()
        assert cookie["name"] == "orders_portal" and cookie["httpOnly"] is True and cookie["sameSite"] in ("Lax", "Strict")

        browser.find_element(By.LINK_TEXT, "SO-00001").click()
        assert browser.current_url == f"{portal.base}/orders/SO-00001"
        assert browser.find_element(By.TAG_NAME, "h1").text == "Order SO-00001"
        assert "Mug émaillé" in browser.find_element(By.TAG_NAME, "body").text

        browser.find_element(By.ID, "pdf").click()
        pdf = wait_for_file(browser.downloads, "SO-00001.pdf")
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF")
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        assert "SO-00001" in text

        # guessing another account's order in the same browser
        browser.get(f"{portal.base}/orders/SO-00003")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Not found"
        assert "Globex" not in browser.page_source

        browser.find_element(By.LINK_TEXT, "Sign out").click()
        assert browser.find_element(By.TAG_NAME, "h1").text == "Signed out"
        browser.get(f"{portal.base}/")
        assert "Sign-in needed" in browser.find_element(By.TAG_NAME, "h1").text
    finally:
        code, err = stop(portal)
        assert "Traceback" not in err, err
