"""The amend form in a real browser, signed in as the requester's officer: submitted in its default state (review,
then amend: nothing to sign), with the edits a logistics officer makes (a quantity changed, a line removed, a line
added on a new vehicle, a vehicle removed, more rows asked for) and with a new leg whose crew is seated in its
vehicle; the statement recorded on the log is asserted."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.parties.operations import do_create_user

from ..plans import plan_body
from . import stages
from .browser import browser_page  # noqa: F401 -- the fixture
from .test_request_form import last_statement

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


def two_trucks() -> list[dict]:
    legs = plan_body()["legs"]
    legs[0]["lines"] = [
        {"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 20, "unit": "t", "weight_kg": 20000,
         "vehicle": "truck-1"},
        {"id": "oil", "item": "Sunflower oil", "category": "food", "quantity": 400, "unit": "l", "weight_kg": 370,
         "vehicle": "truck-2"}]
    legs[0]["vehicles"].append({"id": "truck-2", "plate": "CD 456", "type": "truck"})
    return legs


def amend_page(parties, browser_page):  # noqa: F811
    stages.submitted(parties, legs=two_trucks())
    do_create_user("org-a-officer", "org-a", "officer", password=PASSWORD)
    browser_page.sign_in("org-a-officer", PASSWORD)
    browser_page.open("/plans/p1/amend")
    return browser_page


def click(page, name: str) -> str:
    page.page.get_by_role("button", name=name, exact=True).first.click()
    page.page.wait_for_load_state("networkidle")
    return page.page.locator("main").inner_text()


def cell(page, name: str):
    return page.page.locator(f'[name="{name}"]')


def test_the_amend_form_in_its_default_state(parties, browser_page):  # noqa: F811
    page = amend_page(parties, browser_page)
    assert page.page.locator("legend").first.inner_text() == "Lachin–Khankendi"
    text = page.page.locator("main").inner_text()
    assert "truck-1" not in text and "flour" not in text.replace("Wheat flour", "") and "leg-a" not in text
    with clock.frozen_at(stages.T + 300):
        assert "Nothing changes yet" in click(page, "Review the changes")
        text = click(page, "Amend the plan")
    assert "the amendment is identical to the current version" in text  # nothing to sign: said, not recorded
    assert not StatementIndex.objects.filter(type="plan.amend").exists()
    assert page.errors == [] and page.foreign_requests() == []


def test_a_quantity_changed_a_line_removed_a_line_on_a_new_vehicle_a_vehicle_removed(parties, browser_page):  # noqa: F811
    page = amend_page(parties, browser_page)
    cell(page, "leg1-line1-quantity").fill("25.5")
    cell(page, "leg1-line2-remove").check()  # the oil goes, and the truck that carried it
    cell(page, "leg1-vehicle2-remove").check()
    cell(page, "leg1-vehicle3-plate").fill("EF 789")  # a blank row: a new tanker
    cell(page, "leg1-vehicle3-type").select_option("tanker")
    cell(page, "leg1-line3-item").fill("Rice")
    cell(page, "leg1-line3-category").select_option("food")
    cell(page, "leg1-line3-quantity").fill("5")
    cell(page, "leg1-line3-unit").fill("t")
    cell(page, "leg1-line3-weight").fill("5000")
    cell(page, "leg1-line3-vehicle").select_option(label="Vehicle 3")
    with clock.frozen_at(stages.T + 300):
        text = click(page, "More rows")  # the typed values kept, more blank rows
        assert cell(page, "leg1-line3-item").input_value() == "Rice" and cell(page, "leg1-line8-item").count() == 1
        assert cell(page, "leg1-line3-vehicle").locator("option:checked").inner_text() == "Vehicle 3 — EF 789"
        text = click(page, "Review the changes")
        assert "line changed" in text and "line removed" in text and "line added" in text
        click(page, "Amend the plan")
    statement = last_statement()
    assert statement["type"] == "plan.amend", page.page.locator("main").inner_text()[:600]
    [leg] = statement["payload"]["legs"]
    assert [(line["id"], line["quantity"], line.get("vehicle")) for line in leg["lines"]] == [
        ("flour", "25.5", "truck-1"), ("rice", 5, "v3")]
    assert [(v["id"], v["type"]) for v in leg["vehicles"]] == [("truck-1", "truck"), ("v3", "tanker")]
    assert page.errors == [] and page.foreign_requests() == []


def test_a_line_on_a_removed_vehicle_is_an_error_in_words(parties, browser_page):  # noqa: F811
    page = amend_page(parties, browser_page)
    cell(page, "leg1-vehicle2-remove").check()
    with clock.frozen_at(stages.T + 300):
        text = click(page, "Amend the plan")
    assert "Lachin–Khankendi, line 2 (Sunflower oil): its vehicle (vehicle 2) is removed" in text
    assert not StatementIndex.objects.filter(type="plan.amend").exists()


def test_a_new_leg_with_its_crew_seated_in_its_vehicle(parties, browser_page):  # noqa: F811
    page = amend_page(parties, browser_page)
    form = page.page
    form.select_option("#new-route", "road-b")
    cell(page, "new-vehicle1-plate").fill("ZZ 999")
    cell(page, "new-line1-item").fill("Rice")
    cell(page, "new-line1-quantity").fill("5")
    cell(page, "new-line1-unit").fill("t")
    cell(page, "new-line1-weight").fill("5000")
    cell(page, "new-line1-vehicle").select_option(label="Vehicle 1")
    cell(page, "new-crew1-name").fill("Ana Driver")
    cell(page, "new-crew1-document").fill("P-123")
    cell(page, "new-crew1-vehicle").select_option(label="Vehicle 1")
    with clock.frozen_at(stages.T + 300):
        click(page, "Amend the plan")
    statement = last_statement()
    assert statement["type"] == "plan.amend", form.locator("main").inner_text()[:600]
    [seat] = statement["payload"]["legs"][1]["crew"]
    assert seat["vehicle"] == "v1" and "Ana Driver" not in str(statement)
    assert page.errors == [] and page.foreign_requests() == []
