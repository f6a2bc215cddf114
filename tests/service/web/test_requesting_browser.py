"""The plans list and the request form in a real browser, signed in as each role: the forms submitted in their
default state and with typical input (a 20-truck convoy on three legs), the statement recorded on the log
asserted; nothing loaded from outside the server, no script error."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.parties.operations import do_create_user

from ..api_driver import drive
from ..conftest import SCENARIO
from ..plans import plan_body
from .browser import browser_page  # noqa: F401 -- the fixture
from .test_request_form import last_statement

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"
T = 1694420000  # 2023-09-11T08:13:20Z


def signed_in_as(page, party: str, role: str = "officer"):
    do_create_user(f"{party}-{role}", party, role, password=PASSWORD)
    page.sign_in(f"{party}-{role}", PASSWORD)
    return page


def test_the_request_form_in_its_default_state_signs_nothing_and_says_what_is_missing(parties, browser_page):  # noqa: F811
    page = signed_in_as(browser_page, "org-a")
    with clock.frozen_at(T):
        page.open("/plans/new")
        assert page.page.locator("#plan").input_value() == "org-a-20230911-1"  # proposed by the service
        page.page.get_by_role("button", name="Review").click()
        page.page.wait_for_load_state("networkidle")
    checklist = page.page.locator("#ready").locator("xpath=..").inner_text()
    assert "✓ The plan has an id" in checklist and "✗ At least one leg, each on a known route" in checklist
    assert page.page.get_by_role("button", name="Submit and sign").count() == 0
    assert not StatementIndex.objects.filter(type="plan.submit").exists()
    assert page.errors == [] and page.foreign_requests() == []


def test_a_twenty_truck_convoy_on_three_legs_is_requested_and_signed(parties, browser_page):  # noqa: F811
    page = signed_in_as(browser_page, "org-a")
    form = page.page
    with clock.frozen_at(T):
        page.open("/plans/new")
        form.fill("#plan", "convoy-20")
        form.check('input[name="linkage"][value="simultaneous"]')
        form.fill("#tolerance_minutes", "30")
        form.fill("#expires_at", "2023-09-30T18:00")
        for n, (route, direction, trucks) in enumerate((("road-a", "forward", 7), ("road-b", "reverse", 7),
                                                        ("road-a", "forward", 6)), start=1):
            if n > 1:
                form.get_by_role("button", name="Add another leg").click()
                form.wait_for_load_state("networkidle")
            plates = [f"L{n}-{t:02d}" for t in range(1, trucks + 1)]
            form.select_option(f"#leg{n}_route", route)
            form.check(f'input[name="leg{n}_direction"][value="{direction}"]')
            form.fill(f"#leg{n}_lines", "\n".join(f"Wheat flour,20,t,20000,food,{plate},flour-{t}"
                                                  for t, plate in enumerate(plates, start=1)))
            form.fill(f"#leg{n}_vehicles", "\n".join(f"{plate}, 20 t truck" for plate in plates))
            form.fill(f"#leg{n}_seals", " ".join(f"S-{n}{t:02d}" for t in range(1, trucks + 1)))
            form.fill(f"#leg{n}_crew", "\n".join(f"Driver {n}.{t}; P-{n}{t:04d}; {t}" for t in range(1, trucks + 1)))
        form.get_by_role("button", name="Review").click()
        form.wait_for_load_state("networkidle")
        assert "Legs: 3 · Vehicles: 20" in form.locator(".totals").inner_text()
        page.screenshot("request-convoy")
        form.get_by_role("button", name="Submit and sign").click()
        form.wait_for_load_state("networkidle")
    assert form.url.endswith("/plans/convoy-20")
    statement = last_statement()
    assert statement["type"] == "plan.submit" and statement["party"] == "org-a" and statement["plan"] == "convoy-20"
    content = statement["payload"]
    assert content["linkage"] == "simultaneous" and content["tolerance_seconds"] == 1800
    assert content["expires_at"] == "2023-09-30T14:00:00Z"  # 18:00 at the crossing (Baku, UTC+4)
    assert [(leg["route"], leg["direction"], len(leg["vehicles"])) for leg in content["legs"]] == [
        ("road-a", "forward", 7), ("road-b", "reverse", 7), ("road-a", "forward", 6)]
    assert "L1-01" not in str(content)  # plates are committed on the log, never written in clear
    assert [seat["vehicle"] for seat in content["legs"][2]["crew"]] == [f"v{t}" for t in range(1, 7)]
    crew = form.locator("#fleet").locator("xpath=..").locator("td.crew")  # each truck's driver, on the plan page
    assert crew.count() == 20 and crew.first.inner_text() == "Driver 1.1 (P-10001)"
    assert page.errors == [] and page.foreign_requests() == []


@pytest.mark.parametrize(("party", "role", "requests"), [
    ("org-a", "officer", True), ("org-a", "admin", True), ("org-a", "viewer", False),
    ("border", "officer", False), ("customs", "admin", False), ("escort", "officer", False),
    ("mediator", "admin", False),
])
def test_each_role_is_offered_the_request_only_if_it_can_make_it(parties, browser_page, party, role,  # noqa: F811
                                                                 requests):
    page = signed_in_as(browser_page, party, role)
    page.open("/plans")
    link = page.page.locator("nav").get_by_role("link", name="Request passage")
    assert link.count() == (1 if requests else 0)
    response = page.page.goto(page.origin + "/plans/new")
    assert response.status == (200 if requests else 404)
    if requests:
        assert page.page.locator("#leg1_route").is_visible()


def test_the_plans_list_filtered_in_its_default_state_and_by_status_and_route(parties, browser_page):  # noqa: F811
    drive(SCENARIO, parties)
    with clock.frozen_at(T + 14 * 86400):
        parties["org-a"].post("/plans", plan_body("flour-2"))
    with clock.frozen_at(T + 14 * 86400 + 60):
        parties["org-b"].post("/plans", plan_body("lentils-1", legs=[{**plan_body()["legs"][0], "route": "road-b"}]))
    page = signed_in_as(browser_page, "border")
    page.open("/plans")
    page.page.get_by_role("button", name="Show plans").click()  # the filters as they come: the party's plans
    page.page.wait_for_load_state("networkidle")
    rows = page.page.locator("table.plans tbody tr")
    assert [rows.nth(i).locator("th").inner_text() for i in range(rows.count())] == [
        "lentils-1", "flour-2", "truck-b", "two-roads"]
    assert "Host state border service: pending" in rows.nth(0).inner_text()
    page.page.select_option("#status", "completed")
    page.page.select_option("#route", "road-a")
    page.page.get_by_role("button", name="Show plans").click()
    page.page.wait_for_load_state("networkidle")
    assert [rows.nth(i).locator("th").inner_text() for i in range(rows.count())] == ["two-roads"]
    assert "1 plan matches." in page.page.locator(".count").inner_text()
    page.page.select_option("#status", "")
    page.page.select_option("#route", "")
    page.page.select_option("#waiting_on", "border")
    page.page.get_by_role("button", name="Show plans").click()
    page.page.wait_for_load_state("networkidle")
    page.screenshot("plans")
    assert [rows.nth(i).locator("th").inner_text() for i in range(rows.count())] == ["lentils-1", "flour-2"]
    assert page.errors == [] and page.foreign_requests() == []


def test_the_public_plans_list_shows_no_window_before_the_passage_is_over(parties, browser_page):  # noqa: F811
    drive(SCENARIO, parties)
    page = browser_page
    page.open("/plans")
    assert page.page.locator("input[name=scope]").count() == 0  # the public sees every plan, one way
    text = page.page.locator("table.plans").inner_text()
    assert "two-roads" in text and "Lachin–Khankendi" in text
    assert page.errors == [] and page.foreign_requests() == []


def test_the_plans_list_and_the_request_form_pass_axe(parties, browser_page):  # noqa: F811
    from .test_accessibility import violations

    drive(SCENARIO, parties)
    page, found = browser_page, {}
    page.open("/plans?status=completed")
    found["public /plans"] = violations(page)
    signed_in_as(page, "org-a")
    page.open("/plans")
    found["org-a /plans"] = violations(page)
    page.open("/plans/new")
    page.page.get_by_role("button", name="Add another leg").click()
    page.page.wait_for_load_state("networkidle")
    page.page.get_by_role("button", name="Review").click()
    page.page.wait_for_load_state("networkidle")
    found["org-a /plans/new, two legs, reviewed"] = violations(page)
    assert {path: v for path, v in found.items() if v} == {}


def test_switching_the_language_keeps_a_half_filled_request_which_then_signs_as_typed(parties, browser_page):  # noqa: F811
    page = signed_in_as(browser_page, "org-a")
    form = page.page
    typed = {"#leg1_lines": "Wheat flour,2.5,t,2500,food,1\nHygiene kits,40,kit,400,wash,CD 456",
             "#leg1_vehicles": "AB 123\nCD 456, van", "#leg1_crew": "Ana Driver; P-1; 1", "#leg1_seals": "S-1 S-2"}
    with clock.frozen_at(T):
        page.open("/plans/new")
        form.fill("#plan", "switched-1")
        form.select_option("#leg1_route", "road-a")
        for field, value in typed.items():
            form.fill(field, value)
        form.get_by_role("button", name="Add another leg").click()
        form.wait_for_load_state("networkidle")
        form.select_option("#leg2_route", "road-b")
        form.check('input[name="leg2_direction"][value="reverse"]')
        form.fill("#leg2_lines", "Rice,10,t,10000")
        form.fill("#leg2_vehicles", "EF 789")
        with form.expect_navigation():
            form.select_option("#language", "fr")  # the switch takes the form along
        form.wait_for_load_state("networkidle")
        assert form.locator("html").get_attribute("lang") == "fr"
        assert form.locator("#plan").input_value() == "switched-1"
        assert form.locator("#leg2_route").input_value() == "road-b"
        assert form.locator('input[name="leg2_direction"][value="reverse"]').is_checked()
        for field in ("#leg1_vehicles", "#leg1_crew", "#leg1_seals"):
            assert form.locator(field).input_value() == typed[field], field
        assert form.locator("#leg1_lines").input_value() == (  # read, under the template's header in French
            "Article,Quantité,Unité,Poids (kg),Catégorie,Véhicule,Identifiant de ligne\n"
            "Wheat flour,2.5,t,2500,food,AB 123,wheat-flour\nHygiene kits,40,kit,400,wash,CD 456,hygiene-kits")
        form.locator(".form-actions button[value=review]").click()
        form.wait_for_load_state("networkidle")
        form.locator("button[value=submit]").click()
        form.wait_for_load_state("networkidle")
        assert form.url.endswith("/plans/switched-1") and form.locator("html").get_attribute("lang") == "fr"
    content = last_statement()["payload"]
    assert [(leg["route"], leg["direction"], len(leg["vehicles"])) for leg in content["legs"]] == [
        ("road-a", "forward", 2), ("road-b", "reverse", 1)]
    assert [(line["id"], line["quantity"], line.get("vehicle")) for line in content["legs"][0]["lines"]] == [
        ("wheat-flour", "2.5", "v1"), ("hygiene-kits", 40, "v2")]
    assert content["legs"][0]["seals"] == ["S-1", "S-2"] and len(content["legs"][0]["crew"]) == 1
    assert page.errors == [] and page.foreign_requests() == []
