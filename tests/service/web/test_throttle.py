"""Sign-in is throttled per username and address (django-axes): five wrong passwords lock that pair out with
a clear page and status 429, logged; the same officer still signs in from another address, and the API's
tokens are not affected."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings

from corridor.service.parties.operations import do_create_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on")]
PASSWORD = "a-long-test-password"
ATTACKER, OFFICE = "203.0.113.9", "198.51.100.20"


@pytest.fixture
def axes_on():
    from axes.utils import reset

    with override_settings(AXES_ENABLED=True):
        yield
    reset()


def sign_in(address: str, password: str, username: str = "border-officer"):
    return Client(REMOTE_ADDR=address).post("/accounts/login/", {"username": username, "password": password})


def test_wrong_passwords_lock_the_username_at_that_address(parties, caplog):
    do_create_user("border-officer", "border", "officer", password=PASSWORD)
    answers = [sign_in(ATTACKER, f"guess-{n}").status_code for n in range(4)]
    assert answers == [200] * 4  # the form again, with its error
    with caplog.at_level(logging.WARNING, logger="corridor.security"):
        locked = sign_in(ATTACKER, "guess-5")
    assert locked.status_code == 429 and "Sign-in locked" in locked.content.decode()
    assert "Try again in 15 minutes" in locked.content.decode()
    assert any("locked out" in record.message and "border-officer" in record.message for record in caplog.records)
    assert sign_in(ATTACKER, PASSWORD).status_code == 429  # even the right password, from there, for a while


def test_the_officer_still_signs_in_from_another_address(parties):
    do_create_user("border-officer", "border", "officer", password=PASSWORD)
    for n in range(5):
        sign_in(ATTACKER, f"guess-{n}")
    assert sign_in(ATTACKER, PASSWORD).status_code == 429
    response = sign_in(OFFICE, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/home"


def test_the_lockout_does_not_spill_over_to_other_usernames(parties):
    do_create_user("border-officer", "border", "officer", password=PASSWORD)
    do_create_user("customs-officer", "customs", "officer", password=PASSWORD)
    for n in range(5):
        sign_in(ATTACKER, f"guess-{n}")
    assert sign_in(ATTACKER, PASSWORD, "customs-officer").status_code == 302


def test_api_tokens_are_not_throttled_by_sign_in_failures(parties):
    for n in range(6):
        sign_in("127.0.0.1", f"guess-{n}")
    status, _ = parties["border"].get("/plans")
    assert status == 200


def test_behind_the_tls_proxy_the_address_is_the_one_the_proxy_forwarded(parties, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    do_create_user("border-officer", "border", "officer", password=PASSWORD)
    proxy = "10.0.0.2"

    def via_proxy(client_address: str, password: str, forged: str = ""):
        return Client(REMOTE_ADDR=proxy).post("/accounts/login/", {"username": "border-officer", "password": password},
                                              HTTP_X_FORWARDED_FOR=f"{forged}{client_address}",
                                              HTTP_X_FORWARDED_PROTO="https")

    for n in range(5):
        via_proxy(ATTACKER, f"guess-{n}", forged=f"192.0.2.{n}, ")  # forging an earlier hop changes nothing
    assert via_proxy(ATTACKER, PASSWORD).status_code == 429
    assert via_proxy(OFFICE, PASSWORD).status_code == 302  # the officer, through the same proxy
