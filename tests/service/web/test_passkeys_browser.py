"""The worked example with every statement signed on the officers' own devices: Chromium's virtual
authenticator (DevTools' WebAuthn domain, user verification on) stands in for each officer's passkey."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.parties.operations import do_create_user

from ..conftest import SCENARIO
from .browser import BrowserPage
from .page_driver import PASSWORD, click_and_sign, drive_pages
from .passkey_driver import enrol, passkey_origin, virtual_authenticator

pytestmark = pytest.mark.django_db(transaction=True)
PARTIES = ["org-a", "org-b", "border", "customs", "recv", "escort"]
ENROLMENT = 1694390400 + 600  # after the parties were registered, before the example's first statement
AFTER = 1695081600


def test_two_roads_signed_with_passkeys(parties, live_server, chromium):
    """Each party's officer registers a passkey, binds it (their party's key signs that), ends custodial
    signing with it, then makes every statement of the worked example on the pages, signing each in the
    "you are about to sign" dialog. The log then verifies with every statement after enrolment
    passkey-signed, and the figures are the scenario run's."""
    from corridor.scenario.loader import load_scenario
    from corridor.scenario.report import run_report
    from corridor.scenario.runner import run_scenario

    with passkey_origin(live_server.url):
        pages = {}
        for party in PARTIES:
            do_create_user(f"{party}-web", party, "admin", password=PASSWORD)
            page = BrowserPage(chromium.new_context().new_page(), live_server.url)
            virtual_authenticator(page)
            page.sign_in(f"{party}-web", PASSWORD)
            with clock.frozen_at(ENROLMENT):
                enrol(page, party, screenshots=party == "border")
            pages[party] = page
        pages["recv"].sign_screenshot = "passkey-sign"  # the receiving authority's consent, as it is shown
        drive_pages(SCENARIO, pages, passkeys=True)
        expected = {p["id"]: p for p in run_report(run_scenario(load_scenario(SCENARIO)))["plans"]}
        with clock.frozen_at(AFTER):
            pages["escort"].open("/plans/two-roads")
            waited = pages["escort"].page.locator("section:has(#clock) tbody tr").all_inner_texts()
    assert any("Receiving authority" in row and "6d 6h 55m" in row for row in waited), waited
    assert expected["two-roads"]["waiting_seconds_by_party"]["recv"] == 6 * 86400 + 6 * 3600 + 55 * 60
    for page in pages.values():
        assert page.errors == [] and page.foreign_requests() == []
    _assert_log_signed_by_members()


def _assert_log_signed_by_members() -> None:
    """Every plan and incident statement on the log carries a member's passkey signature, and the whole log
    verifies against the key history, passkeys included (the same check `corridor verify` runs)."""
    from corridor.ledger.audit import audit_entries
    from corridor.ledger.envelope import unseal
    from corridor.service.ledger.keys import OPERATOR, operator_public
    from corridor.service.ledger.models import LogEntry
    from corridor.service.ledger.origins import policy

    entries = [bytes(data) for data in LogEntry.objects.order_by("idx").values_list("data", flat=True)]
    signed = audit_entries(entries, [(OPERATOR, operator_public())], webauthn=policy()).to_json()
    assert set(signed["members"]) == {f"{party}/m1" for party in PARTIES}, signed
    statements = [unseal(entry).statement for entry in entries]
    acted = [s for s in statements if s["type"].startswith(("plan.", "slot.", "leg.", "incident."))]
    assert acted and all(s["key"].startswith("passkey:") for s in acted), \
        [(s["type"], s["party"], s["key"]) for s in acted if not s["key"].startswith("passkey:")]
    ended = [s for s in statements if s["type"] == "key.revoke" and s["payload"]["reason"] == "custody.ended"]
    assert {s["party"] for s in ended} == set(PARTIES)


def test_a_form_with_a_passkey_shows_what_is_signed_and_can_be_cancelled(parties, live_server, chromium):
    """Cancelling the dialog signs and records nothing."""
    from corridor.service.ledger.models import LogEntry

    with passkey_origin(live_server.url):
        do_create_user("recv-web", "recv", "admin", password=PASSWORD)
        page = BrowserPage(chromium.new_context().new_page(), live_server.url)
        virtual_authenticator(page)
        page.sign_in("recv-web", PASSWORD)
        with clock.frozen_at(ENROLMENT):
            enrol(page, "recv", end_custody=False)
            before = LogEntry.objects.count()
            page.open("/incidents")
            form = page.page.locator("form:has(#incident)")
            for field, value in {"#incident": "i-1", "#place": "Gate", "#occurred_from": "2023-09-11T00:05",
                                 "#text": "A claim"}.items():
                form.locator(field).fill(value)
            form.locator("button[type=submit]").click()
            dialog = page.page.locator("dialog.sign-dialog")
            summary = dialog.locator(".sign-summary").inner_text()
            dialog.get_by_role("button", name="Cancel").click()
            assert LogEntry.objects.count() == before
            page.passkeys = True
            click_and_sign(page, form.locator("button[type=submit]"))
            assert LogEntry.objects.count() == before + 1
            page.open("/parties/recv/members")  # the device is lost: its passkey revokes itself (default reason)
            click_and_sign(page, page.page.get_by_role("button", name="Revoke"))
            status = page.page.locator("tr[data-passkey]").inner_text()
    assert "Revoked" in status, status
    assert "incident i-1" in summary and "recv/m1" in summary, summary
    assert page.errors == []
