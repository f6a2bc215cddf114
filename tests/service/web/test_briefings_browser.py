"""The briefings page in a real browser: its form submitted as it comes (the default period and language),
no error, no request outside the server's origin, the strict CSP respected; a screenshot for the README."""

from __future__ import annotations

import pytest

from corridor.service import clock

from ..api_driver import drive
from ..conftest import SCENARIO
from .browser import browser_page  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db(transaction=True)
AFTER = 1695081600


def test_the_briefing_form_submitted_in_its_default_state(parties, browser_page, tiles):  # noqa: F811
    from corridor.service.ledger.integrator import integrate_now
    from corridor.service.web.briefings import reset_for_tests

    reset_for_tests()
    drive(SCENARIO, parties)
    integrate_now()
    page = browser_page
    with clock.frozen_at(AFTER):
        page.open("/briefings/")
        with page.page.expect_navigation():
            page.page.get_by_role("button", name="Show the briefing").click()
        page.page.wait_for_load_state("networkidle")
        assert "from=2023-08-20" in page.page.url and "to=2023-09-18" in page.page.url
        requested = page.page.locator('[data-figure="totals/requested"]')
        assert requested.get_attribute("value") == "2" and requested.inner_text() == "2"
        assert page.page.locator("#briefing svg").count() == 3
        page.screenshot("briefings")
    assert page.foreign_requests() == []
    assert page.errors == []  # a style or script the CSP refused would be logged here
