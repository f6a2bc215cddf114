"""The browser tests' one chromium per test process (browser.py); `browser_page` is imported where it is used."""

from .browser import chromium, chromium_process, playwright_session  # noqa: F401 -- the fixtures
