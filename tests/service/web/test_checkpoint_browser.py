"""The tablet checkpoint screen in chromium, on a 10-inch tablet held in portrait (800 x 1280): the form as it
comes is refused with what to do and loses nothing typed; "all as declared" (in the browser, and without
JavaScript through the server) records a clean inspection; a typical inspection with a discrepancy, an
offload, a broken seal and a seal applied is recorded as typed. Each asserts the statement on the log."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.ledger.record import current_fold
from corridor.service.parties.operations import do_create_user

from .browser import (
    BrowserPage,
    browser_page,  # noqa: F401 -- the fixture
)
from .test_accessibility import violations
from .test_checkpoint import AT, SCREEN, at_lachin

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"
TABLET = {"width": 800, "height": 1280}
TARGETS = ", ".join([".inspection button", ".inspection label.tile", ".inspection label.chip",
                     ".inspection input:not([type=hidden]):not([type=radio]):not([type=checkbox])"])


def tablet(parties, page: BrowserPage) -> BrowserPage:
    """A border officer signed in on the tablet, the two-truck convoy at Lachin."""
    at_lachin(parties)
    do_create_user("border-officer", "border", "officer", password=PASSWORD)
    page.page.set_viewport_size(TABLET)
    with clock.frozen_at(AT):
        page.sign_in("border-officer", PASSWORD)
        page.open(SCREEN)
    return page


def record(page: BrowserPage) -> None:
    with clock.frozen_at(AT):
        page.page.get_by_role("button", name="Record inspection").click()
        page.page.wait_for_load_state("networkidle")


def the_report():
    """The inspection as the log holds it (the fold of the recorded statements)."""
    [statement] = StatementIndex.objects.filter(type="leg.inspect")
    assert statement.party == "border" and statement.plan == "c1"
    moment, party, report = current_fold().state.plans["c1"].legs["leg-a"].inspections[-1]
    return report


def found(page: BrowserPage, line: str):
    return page.page.locator(f'input[name="found-{line}"]')


def test_the_form_as_it_comes_is_refused_with_what_to_do_and_keeps_what_was_typed(parties, browser_page):  # noqa: F811
    page = tablet(parties, browser_page)
    assert [found(page, line).input_value() for line in ("flour", "kits", "medical")] == ["", "", ""]
    assert page.page.locator("input:checked").count() == 0  # no decision, seal, code or offload chosen
    assert violations(page) == []
    found(page, "flour").fill("17950")
    found(page, "flour").press("Enter")  # the next count, never a submission nor "all as declared"
    assert page.page.evaluate("document.activeElement.name") == "found-kits" and found(page, "kits").input_value() == ""
    page.page.locator('input[name="codes-flour"][value="missing"]').check()
    record(page)
    problems = page.page.locator(".problems").inner_text()
    assert "Nothing was recorded." in problems and "Family hygiene kits, Surgical supplies" in problems
    assert "Choose a decision" in problems and "S-40211, S-40212" in problems
    assert "Wheat flour" not in problems  # it was counted
    assert violations(page) == []  # the problems and the invalid fields too
    assert found(page, "flour").input_value() == "17950"
    assert page.page.locator('input[name="codes-flour"][value="missing"]').is_checked()
    assert not StatementIndex.objects.filter(type="leg.inspect").exists()
    assert page.errors == [] and page.foreign_requests() == []


def test_all_as_declared_records_a_clean_inspection_on_the_tablet_in_portrait(parties, browser_page):  # noqa: F811
    page = tablet(parties, browser_page)
    page.page.get_by_role("button", name="All vehicles as declared").click()
    assert [found(page, line).input_value() for line in ("flour", "kits", "medical")] == ["18000", "400", "60"]
    for seal in ("S-40211", "S-40212"):
        page.page.locator(f'input[name="seal-{seal}"][value="intact"]').check()
    page.page.locator('input[name="decision"][value="cleared"]').check()
    assert page.page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]  # nothing off screen
    small = page.page.evaluate("""targets => [...document.querySelectorAll(targets)]
        .filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML.slice(0, 80))""", TARGETS)
    assert small == []  # every target at least 44 px high, for a finger
    page.screenshot("checkpoint-tablet-portrait")
    record(page)
    assert "Inspection recorded: c1, Lachin–Khankendi — cleared" in page.page.locator(".messages").inner_text()
    report = the_report()
    assert [(f.line, f.found, f.codes) for f in report.findings] == [
        ("flour", 18000, ()), ("kits", 400, ()), ("medical", 60, ())]
    assert [(s.seal, s.intact) for s in report.seals] == [("S-40211", True), ("S-40212", True)]
    assert report.decision == "cleared" and report.offload == () and report.applied == ()
    assert page.errors == [] and page.foreign_requests() == []


def test_typical_inspection_with_a_discrepancy_an_offload_and_seals(parties, browser_page):  # noqa: F811
    page = tablet(parties, browser_page)
    found(page, "flour").fill("17950")
    page.page.locator('input[name="codes-flour"][value="missing"]').check()
    page.page.locator('fieldset[data-group="truck-2"]').get_by_role("button", name="All as declared").click()
    assert found(page, "flour").input_value() == "17950" and found(page, "medical").input_value() == "60"
    page.page.locator('input[name="offload"][value="medical"]').check()
    page.page.locator('input[name="seal-S-40211"][value="intact"]').check()
    page.page.locator('input[name="seal-S-40212"][value="broken"]').check()
    page.page.get_by_label("Seals applied to this vehicle after inspection").nth(1).fill("C-001")
    page.page.locator('input[name="decision"][value="cleared_with_offload"]').check()
    page.page.get_by_label("Remarks").fill("Surgical supplies held for a licence check")
    record(page)
    report = the_report()
    assert [(f.line, f.found, f.codes) for f in report.findings] == [
        ("flour", 17950, ("missing",)), ("kits", 400, ()), ("medical", 60, ())]
    assert [(s.seal, s.intact) for s in report.seals] == [("S-40211", True), ("S-40212", False)]
    assert [(s.seal, s.vehicle) for s in report.applied] == [("C-001", "truck-2")]
    assert report.offload == ("medical",) and report.decision == "cleared_with_offload"
    assert report.text == "Surgical supplies held for a licence check"
    assert page.errors == []


def test_all_as_declared_works_without_javascript(parties, browser_page):  # noqa: F811
    at_lachin(parties)
    do_create_user("border-officer", "border", "officer", password=PASSWORD)
    context = browser_page.page.context.browser.new_context(java_script_enabled=False, viewport=TABLET)
    page = BrowserPage(context.new_page(), browser_page.origin)
    with clock.frozen_at(AT):
        page.sign_in("border-officer", PASSWORD)
        page.open(SCREEN)
        found(page, "kits").fill("398")
        page.page.get_by_role("button", name="All vehicles as declared").click()  # the server fills in the rest
        page.page.wait_for_load_state("networkidle")
    assert [found(page, line).input_value() for line in ("flour", "kits", "medical")] == ["18000", "398", "60"]
    assert not StatementIndex.objects.filter(type="leg.inspect").exists()
    page.page.locator('input[name="codes-kits"][value="missing"]').check()
    for seal in ("S-40211", "S-40212"):
        page.page.locator(f'input[name="seal-{seal}"][value="unchecked"]').check()
    page.page.locator('input[name="decision"][value="cleared"]').check()
    record(page)
    report = the_report()
    assert [(f.line, f.found) for f in report.findings] == [("flour", 18000), ("kits", 398), ("medical", 60)]
    assert report.seals == () and report.decision == "cleared"
    context.close()
