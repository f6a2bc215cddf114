"""The consent and delivery receipt forms in chromium, as they come and with typical input: a consent records
the conditions typed (one a line), the receipt is filled vehicle by vehicle ("All received as declared" asks
the server, no script) and an empty count comes back in words with nothing recorded."""

from __future__ import annotations

import pytest

from corridor.ledger.envelope import unseal
from corridor.service import clock
from corridor.service.ledger.models import LogEntry, StatementIndex
from corridor.service.parties.operations import do_create_user

from . import stages
from .browser import browser_page  # noqa: F401 -- the fixture
from .test_accessibility import violations
from .test_receipt_form import AT, in_transit

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"
NOTIFY = "Date and time of the passage to be notified in advance"


def payload(kind: str, party: str) -> dict:
    row = StatementIndex.objects.get(type=kind, party=party)
    return unseal(bytes(LogEntry.objects.get(idx=row.idx).data)).statement["payload"]


def form_of(page, kind: str, party: str):
    return page.page.locator(f'form[action$="/act/{kind}"]:has(input[name="as"][value="{party}"])')


def press(page, button) -> str:
    button.click()
    page.page.wait_for_load_state("networkidle")
    return page.page.content()


def test_consent_as_it_comes_and_with_conditions_typed(parties, browser_page):  # noqa: F811
    stages.submitted(parties)
    for party in ("border", "customs"):
        do_create_user(f"{party}-officer", party, "officer", password=PASSWORD)
    page = browser_page
    with clock.frozen_at(stages.T + 300):
        page.sign_in("border-officer", PASSWORD)
        page.open("/plans/p1")
        press(page, form_of(page, "plan.consent", "border").locator("button[type=submit]"))
        page.sign_in("customs-officer", PASSWORD)
        page.open("/plans/p1")
        form = form_of(page, "plan.consent", "customs")
        form.get_by_label("Conditions (optional, one per line)").fill(f"{NOTIFY}\nEscort from the gate")
        press(page, form.locator("button[type=submit]"))
    assert "conditions" not in payload("plan.consent", "border")
    assert payload("plan.consent", "customs")["conditions"] == [NOTIFY, "Escort from the gate"]
    positions = page.page.locator("section[aria-labelledby=positions]").inner_text()
    assert f"On conditions:\n{NOTIFY}\nEscort from the gate" in positions
    assert page.errors == [] and page.foreign_requests() == []


def test_the_receipt_as_it_comes_then_filled_vehicle_by_vehicle(parties, browser_page):  # noqa: F811
    in_transit(parties)
    do_create_user("recv-officer", "recv", "officer", password=PASSWORD)
    page = browser_page
    with clock.frozen_at(AT):
        page.sign_in("recv-officer", PASSWORD)
        page.open("/plans/p1")
        form = form_of(page, "leg.deliver", "recv")
        shown = press(page, form.get_by_role("button", name="Delivery receipt", exact=True))  # as it comes
        assert not StatementIndex.objects.filter(type="leg.deliver").exists()
        assert "Nothing was recorded: say how much arrived in good condition of Wheat flour (Vehicle 1)" in shown
        assert violations(page) == []  # every count labelled, the marked ones too
        form = form_of(page, "leg.deliver", "recv")
        vehicle = form.locator("fieldset", has_text="Vehicle 1 — AB 123")
        press(page, vehicle.get_by_role("button", name="All received as declared"))
        form = form_of(page, "leg.deliver", "recv")
        assert form.get_by_label("Wheat flour — Good").input_value() == "18"
        assert form.get_by_label("Blankets — Good").input_value() == ""  # the other truck: still to count
        form.get_by_label("Blankets — Good").fill("390")
        form.get_by_label("Blankets — Good").press("Enter")  # the next count, not a fill nor a submission
        assert form.get_by_label("Blankets — Damaged").evaluate("input => input === document.activeElement")
        assert form.get_by_label("Bottled water — Good").input_value() == "2"
        form.get_by_label("Blankets — Lost").fill("10")
        press(page, form.get_by_role("button", name="Delivery receipt", exact=True))
    assert payload("leg.deliver", "recv")["receipts"] == [
        {"line": "flour", "good": 18, "damaged": 0, "lost": 0}, {"line": "water", "good": 2, "damaged": 0, "lost": 0},
        {"line": "blankets", "good": 390, "damaged": 0, "lost": 10}]
    assert "Delivery receipt — Receiving authority (Khankendi)" in page.page.locator(".messages").inner_text()
    assert page.errors == [] and page.foreign_requests() == []
