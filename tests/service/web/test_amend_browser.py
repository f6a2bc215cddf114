"""The amend form in a real browser, signed in as the requester's officer: submitted in its default state (the
plan as it is) and with a new leg whose crew is seated in its vehicle; the statement recorded is asserted."""

from __future__ import annotations

import pytest

from corridor.service.ledger.models import StatementIndex
from corridor.service.parties.operations import do_create_user

from ..plans import plan_body
from .browser import browser_page  # noqa: F401 -- the fixture
from .test_request_form import last_statement

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


def amend_page(parties, browser_page):  # noqa: F811
    status, answer = parties["org-a"].post("/plans", plan_body("p1"))
    assert status == 201, answer
    do_create_user("org-a-officer", "org-a", "officer", password=PASSWORD)
    browser_page.sign_in("org-a-officer", PASSWORD)
    browser_page.open("/plans/p1/amend")
    return browser_page


def test_the_amend_form_in_its_default_state(parties, browser_page):  # noqa: F811
    page = amend_page(parties, browser_page)
    assert page.page.locator("legend").first.inner_text() == "Lachin–Khankendi"
    page.page.get_by_role("button", name="Amend the plan").click()
    page.page.wait_for_load_state("networkidle")
    text = page.page.locator("main").inner_text()
    assert "the amendment is identical to the current version" in text  # nothing to sign: said, not recorded
    assert not StatementIndex.objects.filter(type="plan.amend").exists()
    assert "leg-a" not in text and page.errors == [] and page.foreign_requests() == []


def test_a_new_leg_with_its_crew_seated_in_its_vehicle(parties, browser_page):  # noqa: F811
    page = amend_page(parties, browser_page)
    form = page.page
    form.select_option("#new-route", "road-b")
    form.fill("#lines-new", "id,item,category,quantity,unit,weight_kg,vehicle\nrice,Rice,food,5,t,5000,truck-9")
    form.fill("#vehicles-new", "truck-9,ZZ 999,truck")
    form.fill("#crew-new", "Ana Driver; P-123; ZZ 999")
    form.get_by_role("button", name="Amend the plan").click()
    form.wait_for_load_state("networkidle")
    statement = last_statement()
    assert statement["type"] == "plan.amend", form.locator("main").inner_text()[:600]
    [seat] = statement["payload"]["legs"][1]["crew"]
    assert seat["vehicle"] == "truck-9" and "Ana Driver" not in str(statement)
    assert page.errors == [] and page.foreign_requests() == []
