import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop running in the test thread; Django's ORM calls made
# by fixtures there are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Flags that keep Chromium off the network on machines with no internet (see README).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshots(tmp_path):
    """Where the browser tests save their screenshots: the README's folder with
    UPDATE_SCREENSHOTS=1 (`make screenshots`), else a temporary one, so a test run leaves the
    working tree as it found it."""
    if os.environ.get("UPDATE_SCREENSHOTS"):
        return Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    return tmp_path


@pytest.fixture
def site(live_server, settings, transactional_db, demo_rows):
    """The live server with demo data, serving static files without the manifest step. The
    demo's rows are committed for the server's thread; the test's flush removes them after."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    demo_rows.restore()
    return live_server


@pytest.fixture
def page_at(browser):
    """Open pages at a given width; collects console errors and failed requests."""
    pages = []

    def open_page(width: int = 1280):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.problems = []
        page.on(
            "console",
            lambda message: page.problems.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on(
            "response",
            lambda response: (
                page.problems.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        page.close()
