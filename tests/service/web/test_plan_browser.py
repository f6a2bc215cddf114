"""The plan page's new forms in chromium: amend (review, then sign) in its default state and with typical input,
and go from the go board, which shows the legs released at once."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.parties.operations import do_create_user

from . import stages
from .browser import browser_page  # noqa: F401 -- the fixture
from .test_amend_browser import two_trucks

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


def submit(page, name: str) -> str:
    page.page.get_by_role("button", name=name).click()
    page.page.wait_for_load_state("networkidle")
    return page.page.content()


def test_amend_as_it_comes_then_with_a_changed_quantity(parties, browser_page):  # noqa: F811
    stages.submitted(parties)
    do_create_user("org-officer", "org-a", "officer", password=PASSWORD)
    page = browser_page
    with clock.frozen_at(stages.T + 300):
        page.sign_in("org-officer", PASSWORD)
        page.open("/plans/p1")
        page.page.get_by_role("link", name="Amend this plan").click()
        page.page.wait_for_load_state("networkidle")
        assert "Nothing changes yet" in submit(page, "Review the changes")
        refused = submit(page, "Amend the plan")  # as it comes: identical to the current version
    assert "The plan is inconsistent" in refused and not StatementIndex.objects.filter(type="plan.amend").exists()
    page.page.locator('[name="leg1-line1-quantity"]').fill("25")
    page.page.locator('[name="leg1-line1-weight"]').fill("25000")
    with clock.frozen_at(stages.T + 360):
        review = submit(page, "Review the changes")
        assert "line changed" in review and "25 t · 25000 kg · food" in review
        shown = submit(page, "Amend the plan")
    assert StatementIndex.objects.filter(type="plan.amend", party="org-a").count() == 1
    assert "What changed between versions" in shown and "20 t · 20000 kg · food" in shown
    assert page.errors == [] and page.foreign_requests() == []


def test_go_from_the_board_shows_the_legs_released(parties, browser_page):  # noqa: F811
    stages.submitted(parties)
    stages.consented(parties)
    stages.scheduled(parties)
    stages.arrived(parties)
    stages.post(parties, "border", "/plans/p1/inspect", {
        "leg": "leg-a", "checkpoint": "lachin-checkpoint", "decision": "cleared",
        "findings": [{"line": "flour", "found": 20}]}, 1694434000)
    do_create_user("org-officer", "org-a", "officer", password=PASSWORD)
    page = browser_page
    with clock.frozen_at(1694434100):
        page.sign_in("org-officer", PASSWORD)
        page.open("/plans/p1/go")
        assert "Lachin–Khankendi" in page.page.content()
        board = submit(page, "Go (Humanitarian organisation A (carrier))")
    assert StatementIndex.objects.filter(type="plan.go").count() == 1
    assert "/plans/p1/go" in page.page.url and 'class="phase-released">released' in board
    assert page.errors == []


def test_the_inspection_record_on_the_plan_page(parties, browser_page):  # noqa: F811
    """Declared against found per vehicle, discrepancies, seals, offload and the officer, as the requester
    reads them (screenshot: docs/screenshots/plan-inspection.png)."""
    legs = two_trucks()
    legs[0]["seals"] = ["S-1001", "S-1002"]
    stages.submitted(parties, legs=legs)
    stages.consented(parties)
    stages.scheduled(parties)
    stages.arrived(parties)
    stages.post(parties, "border", "/plans/p1/inspect", {
        "leg": "leg-a", "checkpoint": "lachin-checkpoint", "decision": "cleared_with_offload",
        "findings": [{"line": "flour", "found": 19, "codes": ["missing"]},
                     {"line": "oil", "found": 400, "codes": ["damaged"]}],
        "seals": [{"seal": "S-1001", "intact": True}, {"seal": "S-1002", "intact": False}], "offload": ["oil"],
        "text": "One sack short; oil drums leaking, offloaded"}, 1694434000)
    do_create_user("org-officer", "org-a", "officer", password=PASSWORD)
    page = browser_page
    with clock.frozen_at(1694434100):
        page.sign_in("org-officer", PASSWORD)
        page.open("/plans/p1")
    record = page.page.locator("section[aria-labelledby=inspections]").inner_text()
    assert "cleared with offload" in record and "S-1002 — broken" in record
    assert "Vehicle 2 · CD 456" in record and "truck-2" not in record  # a vehicle by its place, never its id
    assert "One sack short" in record and "Inspected by Host state border service" in record
    page.screenshot("plan-inspection")
    assert page.errors == []
