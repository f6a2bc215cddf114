"""From the hostile review of passkey signing: a passkey the log binds to a party but no account here holds
is still shown to the party's admins and revocable; a deleted officer's member id is never given to
another; a statement too large for the log, or a flood of signing requests, is not kept waiting."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from corridor.engine.times import format_time
from corridor.service import clock
from corridor.service.config import CONFIG
from corridor.service.ledger.models import LogEntry
from corridor.service.ledger.record import current_fold, record_built, recording_transaction
from corridor.service.parties.models import Passkey
from corridor.service.parties.passkeys import member_id
from corridor.service.web.models import PendingSignature
from corridor.service.web.signing import MAX_PENDING_PER_USER
from tests.ledger.authenticator import Authenticator

from .test_flows import request_form
from .test_signing import REPORT, START, _user, challenge_of, complete, enrol, prepare

pytestmark = pytest.mark.django_db


def _device() -> Authenticator:
    return Authenticator("ES256", origin=CONFIG.webauthn_origin, rp_id=CONFIG.webauthn_rp_id)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(parties):
    user = _user("border-admin", "border", "admin")
    device = _device()
    enrol(user, "border", device)
    return _signed_in(user), device


def test_a_passkey_whose_account_was_deleted_is_listed_and_revoked(admin):
    client, device = admin
    leaver = _user("border-leaver", "border", "officer")
    passkey = enrol(leaver, "border", _device())
    with recording_transaction():  # the fold before the database, as the admin's views take it
        leaver.delete()  # the account goes, with its Passkey row; the binding on the log does not
    assert not Passkey.objects.filter(key_id=passkey.key_id).exists()
    assert passkey.key_id in client.get("/parties/border/members").content.decode()
    with clock.frozen_at(START + 60):
        answer = client.post("/parties/border/members", {"action": "revoke", "key": passkey.key_id,
                                                          "reason": "member.left"}, HTTP_X_CORRIDOR_SIGN="prepare")
    assert answer.status_code == 200, answer.content
    assert complete(client, answer.json(), device.assertion(challenge_of(answer.json())))[0] == 200
    assert current_fold().key_of(passkey.key_id).revoked_at is not None


def test_a_passkey_bound_outside_the_pages_is_listed(admin):
    """E.g. bound by the server's custodial key while the party was custodial: it outlives the custody."""
    client, _ = admin
    hidden = _device()
    from corridor.service.ledger.record import custodial

    with clock.frozen_at(START + 30):
        record_built([custodial("border", "key.bind", hidden.bind_payload("border/m9", admin=True))])
    assert hidden.key in client.get("/parties/border/members").content.decode()


def test_revoking_names_a_passkey_of_this_party_only(admin, parties):
    client, _ = admin
    other = enrol(_user("customs-officer", "customs", "officer"), "customs", _device())
    with clock.frozen_at(START + 60):
        response = client.post("/parties/border/members", {"action": "revoke", "key": other.key_id},
                               HTTP_X_CORRIDOR_SIGN="prepare")
    assert (response.status_code, response.json()["code"]) == (404, "key.unknown")


def test_a_deleted_officers_member_id_is_not_given_to_another(parties):
    first = _user("border-first", "border", "officer")
    gone = enrol(first, "border", _device())
    with recording_transaction():
        first.delete()
    second = _user("border-second", "border", "officer")
    assert member_id(second, "border") != gone.member


def test_a_statement_too_large_for_the_log_is_refused_before_it_is_signed(parties):
    user = _user("org-admin", "org-a", "admin")
    enrol(user, "org-a", _device())
    lines = "\n".join(f"Wheat flour lot {i} {'x' * 60},20,kg,20,food,,l{i}" for i in range(2000))
    with clock.frozen_at(START + 60):
        response = _signed_in(user).post("/plans/new", request_form(action="submit", leg1_lines=lines),
                                         HTTP_X_CORRIDOR_SIGN="prepare")
    assert (response.status_code, response.json()["code"]) == (413, "entry.too_large")
    assert not PendingSignature.objects.exists()


def test_signing_requests_a_user_leaves_open_are_capped(admin):
    client, device = admin
    answers = [prepare(client, {**REPORT, "incident": f"i-{n}"}) for n in range(MAX_PENDING_PER_USER + 5)]
    assert PendingSignature.objects.count() == MAX_PENDING_PER_USER
    before = LogEntry.objects.count()
    assert complete(client, answers[-1], device.assertion(challenge_of(answers[-1])))[0] == 200  # the newest stand
    assert LogEntry.objects.count() == before + 1
    assert complete(client, answers[0], device.assertion(challenge_of(answers[0])))[1]["code"] == "sign.unknown"


def test_statement_time_is_the_servers(admin):
    """(sanity) what the dialog shows is the statement that is signed, dated by the server."""
    client, _ = admin
    statement = json.loads(prepare(client)["statement"])
    assert statement["time"] == format_time(START + 60)
