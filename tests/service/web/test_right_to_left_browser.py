"""In chromium, an Arabic page lays out right to left while its times keep their own order: the clock and
its UTC offset in a left-to-right isolate, the UTC time on hover."""

from __future__ import annotations

import pytest

from corridor.service import clock

from ..api_driver import drive
from ..conftest import SCENARIO
from .browser import browser_page  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db(transaction=True)
AFTER = 1695081600


def test_arabic_log_page_keeps_each_time_left_to_right_inside_the_right_to_left_page(parties, browser_page, tiles):  # noqa: F811
    from corridor.service.ledger.integrator import integrate_now

    drive(SCENARIO, parties)
    integrate_now()
    page = browser_page
    with clock.frozen_at(AFTER):
        page.open("/transparency/log")
        with page.page.expect_navigation():
            page.page.select_option("#language", "ar")
        page.page.wait_for_load_state("networkidle")
    assert page.page.locator("html").get_attribute("dir") == "rtl"
    first = page.page.locator("#statements ~ table time, section[aria-labelledby=statements] time").first
    clock_part = first.locator("bdi[dir=ltr]")
    assert first.evaluate("e => getComputedStyle(e).direction") == "rtl"  # the page's direction around it
    assert clock_part.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert clock_part.inner_text().endswith("UTC+4")  # Lachin and Aghdam keep Baku time
    assert first.get_attribute("title").endswith(" UTC") and "Z" in first.get_attribute("datetime")
    assert page.page.locator("section[aria-labelledby=statements] tbody td").filter(has_text="plan.").count() == 0
    assert page.errors == [] and page.foreign_requests() == []


def test_arabic_checkpoint_screen_keeps_seals_plan_ids_and_names_in_their_order(parties, browser_page):  # noqa: F811
    """A seal "S-40211" in an Arabic problem list stays "S-40211" (not "40211-S"): the server isolates it
    (U+2068 … U+2069) in the sentence, the page isolates plan ids, names and plates with <bdi>."""
    from corridor.service.parties.operations import do_create_user

    from .test_checkpoint import AT, SCREEN, at_lachin

    at_lachin(parties)
    do_create_user("border-officer", "border", "officer", password="a-long-test-password")
    page = browser_page
    with clock.frozen_at(AT):
        page.sign_in("border-officer", "a-long-test-password")
        page.open(SCREEN)
        with page.page.expect_navigation():
            page.page.select_option("#language", "ar")
        page.page.locator("button.record").first.click()
        page.page.wait_for_load_state("networkidle")
    assert page.page.locator("html").get_attribute("dir") == "rtl"
    problems = page.page.locator(".problems").inner_text()
    assert "\u2068S-40211\u2069" in problems and "\u2068Wheat flour\u2069" in problems, problems
    title = page.page.locator(".inspection h3 bdi").first
    assert title.inner_text() == "c1" and title.evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"
    plate = page.page.locator(".inspection .plate").first
    assert plate.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert page.errors == [] and page.foreign_requests() == []
