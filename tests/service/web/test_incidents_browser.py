"""The incident form in a real browser: submitted in its default state it records nothing (the browser asks
for what is required); with typical input, "Occurred" typed on the default clock (the operation's, named with
its zone and offset) is recorded in UTC."""

from __future__ import annotations

import pytest

from corridor.service.incidents.models import Incident
from corridor.service.ledger.models import StatementIndex
from corridor.service.parties.operations import do_create_user

from .browser import browser_page  # noqa: F401 -- the fixture
from .test_request_form import last_statement

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


def test_the_incident_form_in_its_default_state_and_with_a_time_at_the_crossing(parties, browser_page):  # noqa: F811
    do_create_user("border-officer", "border", "officer", password=PASSWORD)
    page = browser_page
    page.sign_in("border-officer", PASSWORD)
    page.open("/incidents")
    form = page.page.locator("form:has(#incident)")
    assert form.locator("#crossing option:checked").inner_text() == "The operation's clock — Asia/Baku (UTC+4)"
    form.get_by_role("button", name="Report and sign").click()
    assert not StatementIndex.objects.filter(type="incident.report").exists()  # required fields left empty
    form.locator("#incident").fill("held-1")
    form.locator("#place").fill("Lachin gate")
    form.locator("#occurred_from").fill("2023-09-11T12:00")
    form.locator("#text").fill("Held four hours")
    form.get_by_role("button", name="Report and sign").click()
    page.page.wait_for_load_state("networkidle")
    assert last_statement()["payload"]["occurred_from"] == "2023-09-11T08:00:00Z"
    assert Incident.objects.get(pk="held-1").place == "Lachin gate"
    assert page.errors == [] and page.foreign_requests() == []
