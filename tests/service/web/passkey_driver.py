"""Passkeys in browser tests: Chromium's virtual authenticator (DevTools' WebAuthn domain) as the officer's
device, and enrolment through the pages (register on the account page, bind on the members page, end
custodial signing with the new passkey)."""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager

from corridor.service.config import CONFIG
from corridor.service.ledger import record

from .browser import BrowserPage
from .page_driver import click_and_sign


def virtual_authenticator(page: BrowserPage) -> str:
    """A platform authenticator that verifies its user (as a fingerprint would) and is always present."""
    session = page.page.context.new_cdp_session(page.page)
    session.send("WebAuthn.enable")
    answer = session.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    page.cdp = session
    return answer["authenticatorId"]


@contextmanager
def passkey_origin(origin: str):
    """The service's passkeys bound to the test server's origin (http://localhost:PORT) for the test."""
    saved = dataclasses.asdict(CONFIG)
    object.__setattr__(CONFIG, "webauthn_origin", origin.rstrip("/"))
    object.__setattr__(CONFIG, "webauthn_rp_id", "localhost")
    record.reset_for_tests()  # the fold's policy now includes this origin
    try:
        yield
    finally:
        object.__setattr__(CONFIG, "webauthn_origin", saved["webauthn_origin"])
        object.__setattr__(CONFIG, "webauthn_rp_id", saved["webauthn_rp_id"])
        record.reset_for_tests()


def enrol(page: BrowserPage, party: str, end_custody: bool = True, screenshots: bool = False) -> None:
    page.open("/account")
    page.page.fill(f"#device-{party}", "checkpoint tablet")
    page.page.get_by_role("button", name=f"Register a passkey on this device for {party}").click()
    page.page.locator("tr[data-passkey]").wait_for()
    page.page.wait_for_load_state("networkidle")
    if screenshots:
        page.screenshot("passkey-account")
    page.open(f"/parties/{party}/members")
    page.page.get_by_role("button", name="Bind to the party").click()  # signed by the party's custodial key
    page.page.wait_for_load_state("networkidle")
    assert page.page.locator("tr[data-passkey]").inner_text().count("Bound") == 1
    if end_custody:
        page.passkeys = True
        click_and_sign(page, page.page.get_by_role("button", name="End custodial signing (with my passkey)"))
        assert "The server holds no valid key" in page.page.inner_text("body")
        page.passkeys = False
