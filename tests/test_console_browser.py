"""The console in a real browser: headless Chromium signs in, reads the board and assigns a request.

Skipped where Chromium or its driver is not installed; CI installs both.
"""

import shutil
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from db.requests import STATUS_ACCEPTED, STATUS_ESCALATED, HelpRequest
from gateway import create_app
from tests.conftest import CITIZEN_SR, VOLUNTEER_MARKO
from tests.console_world import PASSWORD, create_coordinator

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="headless Chromium is not installed: apt-get install chromium chromium-driver",
)

# The machine may have no network; these flags keep Chromium from trying to reach one.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--window-size=1280,900",
)


@pytest.fixture
def console_url(env, app):
    """Serve the app on a free loopback port; its PUBLIC_URL is that plain-HTTP address, so cookies work."""
    server = make_server("127.0.0.1", 0, None)
    url = f"http://127.0.0.1:{server.server_port}"
    server.server_close()
    browser_app = create_app({**env, "PUBLIC_URL": url})
    server = make_server("127.0.0.1", int(url.rsplit(":", 1)[1]), browser_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    browser_app.extensions["hotline.db"].dispose()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    # Giving the driver's path keeps Selenium Manager from looking for one online.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def wait_for(browser, css):
    """Return the element once its page has loaded, because a click on submit returns before the next page loads."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, 15).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))


def test_coordinator_assigns_escalated_request_in_browser(hotline, console_url, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    hotline.text(CITIZEN_SR, "Hrana i lekovi za baku, Ul. Kralja Petra 12")
    with hotline.database.session() as session:
        request = session.scalar(select(HelpRequest))
    assert request.status == STATUS_ESCALATED
    marko = hotline.add_volunteer(*VOLUNTEER_MARKO)
    create_coordinator(hotline.database)
    hotline.fake.reset()

    browser.get(f"{console_url}/console/")
    browser.find_element(By.NAME, "username").send_keys("ana")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

    board_row = wait_for(browser, "tr.status-escalated")
    assert board_row.find_element(By.TAG_NAME, "a").text == "1"
    browser.save_screenshot(str(tmp_path / "board.png"))
    board_row.find_element(By.TAG_NAME, "a").click()

    Select(wait_for(browser, "select[name=volunteer_id]")).select_by_value(str(marko))
    browser.find_element(By.CSS_SELECTOR, "form[action$='/assign'] button").click()
    assert "Marko" in wait_for(browser, ".flash.ok").text
    hotline.run_jobs()

    with hotline.database.session() as session:
        assigned = session.get(HelpRequest, request.id)
    assert (assigned.status, assigned.volunteer_id) == (STATUS_ACCEPTED, marko)
    offers = hotline.bodies_to(VOLUNTEER_MARKO[1])
    assert len(offers) == 1
    assert "Kralja Petra 12" in offers[0]
