"""Browser tests with Playwright driving Debian's chromium (never a downloaded browser).

Without /usr/bin/chromium the tests skip with a notice; CORRIDOR_REQUIRE_BROWSER=1 (set by .ci/run) makes
that a failure. Every page opened through `BrowserPage` records the requests it makes and the errors it
logs, so a test can assert that nothing left the server's origin and nothing failed.

Screenshots go to docs/screenshots (the README's pictures) only when CORRIDOR_SCREENSHOTS=1 asks for them;
otherwise to a directory under the system's temporary directory, so `make test` leaves the checkout clean."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium"))
DOCS_SCREENSHOTS = Path(__file__).parents[3] / "docs" / "screenshots"


def screenshots_dir() -> Path:
    """docs/screenshots when the run is meant to refresh the README's pictures, else a scratch directory."""
    if os.environ.get("CORRIDOR_SCREENSHOTS") == "1":
        return DOCS_SCREENSHOTS
    return Path(tempfile.gettempdir()) / "corridor-screenshots"


SCREENSHOTS = screenshots_dir()


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("CORRIDOR_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


class BrowserPage:
    def __init__(self, page, origin: str) -> None:
        self.page, self.origin = page, origin
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, path: str) -> None:
        self.page.goto(self.origin + path)
        self.page.wait_for_load_state("networkidle")

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith((self.origin, "data:", "blob:"))]

    def screenshot(self, name: str, selector: str | None = None) -> None:
        """The whole page, or only the element `selector` names (a section for the README)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = str(SCREENSHOTS / f"{name}.png")
        if selector:
            self.page.locator(selector).screenshot(path=path)
        else:
            self.page.screenshot(path=path, full_page=True)

    def sign_in(self, username: str, password: str) -> None:
        self.open("/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state("networkidle")


@pytest.fixture(scope="session")
def playwright_session():
    """Playwright for the whole test process (a second `sync_playwright()` in the same thread is refused)."""
    require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium_process(playwright_session):
    browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    yield browser
    browser.close()


@pytest.fixture
def chromium(chromium_process):
    """One chromium for all of a test process's browser tests (launching one takes about a second of CPU, a
    hundred times a run), each test in contexts of its own: cookies, storage, service workers, permissions
    and the network's state are a context's, and every context a test opened is closed after it."""
    yield chromium_process
    for context in chromium_process.contexts:
        context.close()


@pytest.fixture
def browser_page(chromium, live_server):
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    return BrowserPage(page, live_server.url)
