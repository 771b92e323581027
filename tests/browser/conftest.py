"""Chromium through Playwright against pytest-django's live server.

Outside CI a machine without Chromium skips these tests; in CI (CI=true) a browser that cannot
start fails them, so that a broken browser setup never passes as green.
"""

import os

import pytest

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.browser)


def _cannot_start(reason):
    if os.environ.get("CI"):
        pytest.fail(f"The browser cannot start: {reason}")
    pytest.skip(f"The browser cannot start: {reason}")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as error:
        _cannot_start(str(error))
    if not os.path.exists(CHROMIUM):
        _cannot_start(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    except Error as error:
        playwright.stop()
        _cannot_start(str(error))
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def browser_page(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", accept_downloads=True, viewport={"width": 1400, "height": 1000}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def console_errors(browser_page):
    """Errors the pages log, such as a script or a style the CSP refused."""
    errors = []

    def note(message):
        where = message.location.get("url", "")
        # Chromium asks for a favicon the project does not have; that is not the page's error.
        if message.type == "error" and not where.endswith("/favicon.ico"):
            errors.append(f"{message.text} ({where})")

    browser_page.on("console", note)
    return errors


def login(page, live_server, user, password=PASSWORD):
    """Log in through the real login page, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(password)
    page.locator("main form button").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
