"""The printable permit page: the driver's A4 sheet, its QR code served from the origin and readable back
into the signed permit; private to the parties of the passage (others get 404)."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.permits import qr
from corridor.service.parties.operations import do_create_user
from corridor.service.permits.models import IssuedPermit

from .browser import browser_page  # noqa: F401 -- the fixture
from .stages import consented, scheduled, submitted
from .test_accessibility import violations

PASSWORD = "a-long-test-password"
PAGE = "/plans/p1/permits/leg-a.truck-1.1"


def issued(parties) -> IssuedPermit:
    from corridor.service.ledger.integrator import integrate_now

    submitted(parties)
    consented(parties)
    integrate_now()  # a signed checkpoint for the permit to name
    scheduled(parties)
    return IssuedPermit.objects.get()


@pytest.mark.django_db(transaction=True)
def test_the_permit_page_prints_what_the_officer_compares_and_its_code_scans(parties, browser_page, tiles,  # noqa: F811
                                                                           tmp_path):
    row = issued(parties)
    do_create_user("org-a-permits", "org-a", "officer", password=PASSWORD)
    page = browser_page
    page.sign_in("org-a-permits", PASSWORD)
    page.open(PAGE)
    body = page.page.locator("main").inner_text()
    assert "AB 123" in body and "2023-09-11T12:00:00Z" in body and "Lachin" in body
    assert "16:00 UTC+4" in body  # and on the crossing's clock, as the checkpoint screen shows the slot
    assert "p1 · Leg 1 · " in body and "leg leg-a" not in body  # the leg by its place, the route named above
    assert f"{row.log_index}" in body and "e3b0c442" not in body  # names a real checkpoint, not the empty tree
    assert page.page.locator(".permit-revoked").count() == 0
    image = page.page.locator(".permit-qr img")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    shot = tmp_path / "qr.png"
    image.screenshot(path=str(shot))
    text = qr.to_text(bytes(row.signed))
    assert qr.read_image(shot) == text == page.page.locator(".permit-text").inner_text().strip()
    assert page.errors == [] and page.foreign_requests() == []
    assert violations(page) == []  # axe-core: serious and critical findings
    page.page.emulate_media(media="print")
    page.screenshot("permit")


@pytest.mark.django_db
def test_the_permit_is_private_to_the_parties_of_the_passage(parties, tiles):
    issued(parties)
    do_create_user("org-b-permits", "org-b", "officer", password=PASSWORD)
    do_create_user("mediator-permits", "mediator", "officer", password=PASSWORD)
    do_create_user("border-permits", "border", "viewer", password=PASSWORD)
    for username, status in (("org-b-permits", 404), ("mediator-permits", 404), ("border-permits", 200)):
        client = Client()
        assert client.login(username=username, password=PASSWORD)
        assert client.get(PAGE).status_code == status, username
        assert client.get(PAGE + ".svg").status_code == status, username
    assert Client().get(PAGE).status_code == 302  # to sign in
    client = Client()
    client.login(username="border-permits", password=PASSWORD)
    assert client.get("/plans/p1/permits/leg-a.truck-1.9").status_code == 404
    svg = client.get(PAGE + ".svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<script" not in svg.content
