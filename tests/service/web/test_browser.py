"""The pages in a real browser: they load without errors and without a single request outside the
server's origin, in every language; each main page is saved as a screenshot for the README."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.ledger.integrator import integrate_now
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
        page.open("/incidents")
        page.screenshot("incidents")
        page.open("/plans/two-roads/go")
        page.screenshot("go-board")
        page.sign_in("border-officer", "a-long-test-password")
        page.open("/home")
        page.screenshot("home")
        page.open("/checkpoints/lachin-checkpoint")
        page.screenshot("checkpoint")
        do_create_user("org-officer", "org-a", "officer", password="a-long-test-password")
        page.sign_in("org-officer", "a-long-test-password")
        page.open("/plans/new")
        page.screenshot("request")
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


def test_the_two_roads_example_through_the_pages_signed_in_as_each_party(parties, tiles, live_server, chromium):
    """Every statement of the worked example made by its party on the pages; the public page then shows
    the receiving authority's six days of waiting, and the plan's clocks equal the scenario run's."""
    from corridor.scenario.loader import load_scenario
    from corridor.scenario.report import run_report
    from corridor.scenario.runner import run_scenario

    from .page_driver import drive_pages, signed_in_pages

    pages = signed_in_pages(chromium, live_server.url, ["org-a", "org-b", "border", "customs", "recv", "escort"])
    drive_pages(SCENARIO, pages)
    expected = {p["id"]: p for p in run_report(run_scenario(load_scenario(SCENARIO)))["plans"]}
    public = pages["escort"]
    integrate_now()  # the worker's step: the public page's figures are those of the published checkpoint
    with clock.frozen_at(AFTER):
        public.open("/plans/two-roads")
        waited = public.page.locator("#clock ~ table tbody tr, section:has(#clock) tbody tr").all_inner_texts()
        public.open("/")
        board = public.page.locator("section:has(#waiting) tbody tr").first.inner_text()
    assert "Receiving authority" in board and "6d" in board
    assert any("Receiving authority" in row and "6d 6h 55m" in row for row in waited), waited
    assert expected["two-roads"]["waiting_seconds_by_party"]["recv"] == 6 * 86400 + 6 * 3600 + 55 * 60
    for page in pages.values():
        assert page.errors == [] and page.foreign_requests() == []


def test_a_click_on_the_map_places_the_incident(parties, browser_page):  # noqa: F811
    from corridor.service.parties.operations import do_create_user

    do_create_user("border-map", "border", "officer", password="a-long-test-password")
    page = browser_page
    page.sign_in("border-map", "a-long-test-password")
    page.open("/incidents")
    page.page.locator("#map").click(position={"x": 200, "y": 150})
    lat, lon = page.page.input_value("#lat"), page.page.input_value("#lon")
    assert lat and lon and -90 <= float(lat) <= 90 and -180 <= float(lon) <= 180
    assert page.errors == [] and page.foreign_requests() == []
