"""The plan and checkpoint forms in chromium: an amendment between the page load and the click is refused
with what changed (nothing signed), and the forms this part touched work submitted as they come."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.parties.operations import do_create_user

from . import stages
from .browser import browser_page  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


def click(page, kind: str, party: str) -> str:
    form = page.page.locator(f'form[action$="/act/{kind}"]:has(input[name="as"][value="{party}"])')
    reason = form.locator('select[name="reason"]')
    if reason.count():  # no reason is chosen for the officer: the browser asks for one before anything is sent
        assert reason.evaluate("select => select.value === '' && select.validity.valueMissing")
        form.locator("button[type=submit]").click()
        assert reason.evaluate("select => select === document.activeElement")  # the field to fill, focused
        reason.select_option("documentation")
    form.locator("button[type=submit]").click()
    page.page.wait_for_load_state("networkidle")
    return page.page.locator(".messages").inner_text()


def test_an_amendment_between_load_and_click_is_refused_and_shown(parties, browser_page):  # noqa: F811
    stages.submitted(parties)
    do_create_user("border-officer", "border", "officer", password=PASSWORD)
    page = browser_page
    with clock.frozen_at(stages.T + 300):
        page.sign_in("border-officer", PASSWORD)
        page.open("/plans/p1")
    stages.amend(parties, quantity=25)  # while the officer reads the page
    with clock.frozen_at(stages.T + 900):
        message = click(page, "plan.consent", "border")
    assert "The plan was amended since you opened this page" in message  # version.stale, in words
    assert "quantity 20 → 25 t" in message and "amended by org-a" in message
    assert not StatementIndex.objects.filter(type="plan.consent").exists()
    with clock.frozen_at(stages.T + 960):
        message = click(page, "plan.consent", "border")  # the page now shows the amended plan
    assert "Consent — Host state border service" in message  # the party by name
    assert StatementIndex.objects.filter(type="plan.consent").count() == 1
    assert page.errors == []


def test_refuse_confirm_slot_and_the_checkpoint_inspection_as_they_come(parties, browser_page):  # noqa: F811
    stages.submitted(parties)
    stages.consented(parties)
    stages.slot_proposed(parties)
    do_create_user("border-officer", "border", "officer", password=PASSWORD)
    page = browser_page
    with clock.frozen_at(stages.T + 2000):
        page.sign_in("border-officer", PASSWORD)
        page.open("/plans/p1")
        assert "Confirm slot — Host state border service" in click(page, "slot.confirm", "border")
    for party in ("customs", "recv", "escort"):
        stages.post(parties, party, "/plans/p1/confirm-slot", {"slot": "s1"}, stages.T + 2400)
    stages.arrived(parties)
    with clock.frozen_at(1694434000):  # as it comes the form is refused (nothing counted, no decision) ...
        page.open("/checkpoints/lachin-checkpoint")
        page.page.get_by_role("button", name="Record inspection").click()
        page.page.wait_for_load_state("networkidle")
        assert "Nothing was recorded." in page.page.locator(".problems").inner_text()
        assert not StatementIndex.objects.filter(type="leg.inspect").exists()
        page.page.get_by_role("button", name="All as declared").click()  # ... counted, and a decision chosen
        page.page.get_by_text("cleared", exact=True).click()
        page.page.get_by_role("button", name="Record inspection").click()
        page.page.wait_for_load_state("networkidle")
    assert StatementIndex.objects.filter(type="leg.inspect", party="border").exists()
    stages.submitted(parties, plan="p2", at=1694434050)
    with clock.frozen_at(1694434100):
        page.open("/plans/p2")
        assert "Refuse — Host state border service" in click(page, "plan.refuse", "border")
    assert StatementIndex.objects.filter(type="plan.refuse", party="border").exists()
    assert page.errors == [] and page.foreign_requests() == []


def test_the_other_plan_actions_submitted_as_they_come(parties, browser_page):  # noqa: F811
    """Ask, answer, decline a slot, withdraw and cancel: each form as the page offers it, nothing filled in."""
    stages.submitted(parties)
    for party in ("border", "customs", "org-a"):
        do_create_user(f"{party}-officer", party, "officer", password=PASSWORD)
    page = browser_page
    steps = [("border", "plan.request_info", "Request information — Host state border service"),
             ("org-a", "plan.answer", "Answer — Humanitarian organisation A (carrier)")]
    with clock.frozen_at(stages.T + 300):
        for party, kind, shown in steps:
            page.sign_in(f"{party}-officer", PASSWORD)
            page.open("/plans/p1")
            assert shown in click(page, kind, party)
    stages.consented(parties)
    stages.slot_proposed(parties)
    steps = [("customs", "slot.decline", "Decline slot — Host state customs service"), ("border", "plan.withdraw",
                                                                     "Withdraw consent — Host state border service"),
             ("org-a", "plan.cancel", "Cancel plan — Humanitarian organisation A (carrier)")]
    with clock.frozen_at(stages.T + 2000):
        for party, kind, shown in steps:
            page.sign_in(f"{party}-officer", PASSWORD)
            page.open("/plans/p1")
            assert shown in click(page, kind, party)
    kinds = set(StatementIndex.objects.values_list("type", flat=True))
    assert {"plan.request_info", "plan.answer", "slot.decline", "plan.withdraw", "plan.cancel"} <= kinds
    assert page.errors == []
