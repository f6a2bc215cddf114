"""The pages in a real browser: they load without errors and without a single request outside the
server's origin, in every language; each main page is saved as a screenshot for the README."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.parties.operations import do_create_user

from ..api_driver import drive
from ..conftest import SCENARIO
from .browser import browser_page  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db(transaction=True)
AFTER = 1695081600


def test_public_plan_log_and_home_pages_in_the_browser(parties, browser_page, tiles):  # noqa: F811
    from corridor.service.ledger.integrator import integrate_now

    drive(SCENARIO, parties)
    integrate_now()
    do_create_user("border-officer", "border", "officer", password="a-long-test-password")
    page = browser_page
    with clock.frozen_at(AFTER):
        page.open("/")
        assert page.page.locator("#map .leaflet-interactive").count() >= 1  # incident markers drawn
        assert page.page.locator("#chart-categories").is_visible()
        page.screenshot("public")
        page.open("/plans/two-roads")
        page.screenshot("plan")
        page.open("/transparency/log?index=20")
        page.screenshot("log")
        page.sign_in("border-officer", "a-long-test-password")
        page.open("/home")
        page.screenshot("home")
    assert page.foreign_requests() == []
    assert page.errors == []


@pytest.mark.parametrize("language", ["ru", "fr", "ar"])
def test_every_language_renders_without_errors(parties, browser_page, language):  # noqa: F811
    page = browser_page
    page.open("/")
    with page.page.expect_navigation():
        page.page.select_option("#language", language)  # the switch submits itself on change
    page.page.wait_for_load_state("networkidle")
    assert page.page.locator("html").get_attribute("lang") == language
    assert page.page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert page.errors == [] and page.foreign_requests() == []
    if language == "ar":
        page.screenshot("public-ar")
