"""Signing on the device, through the pages' two requests (prepare, then the assertion), with a software
authenticator making genuine WebAuthn assertions. Every refusal answers a stable code and records nothing."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from corridor.ledger.envelope import canonical_json, statement_digest, unseal
from corridor.service import clock
from corridor.service.config import CONFIG
from corridor.service.ledger.models import LogEntry
from corridor.service.ledger.record import record_built
from corridor.service.parties.models import PartyKey, Passkey
from corridor.service.parties.operations import do_create_user
from corridor.service.parties.passkeys import bind, member_id
from corridor.service.web.models import PendingSignature
from tests.ledger.authenticator import UP, Authenticator

pytestmark = pytest.mark.django_db
START = 1694390400 + 600
REPORT = {"as": "border", "incident": "i-1", "category": "restricted_movement", "place": "Gate",
          "occurred_from": "2023-09-11T00:05", "text": "Held at the gate"}


@pytest.fixture
def officer(parties):
    """border's admin, signed in, with an ES256 passkey bound to border on the log."""
    user = _user("border-officer", "border", "admin")
    client = Client()
    client.force_login(user)
    device = Authenticator("ES256", origin=CONFIG.webauthn_origin, rp_id=CONFIG.webauthn_rp_id)
    passkey = enrol(user, "border", device)
    return client, device, passkey, user


def enrol(user, party: str, device: Authenticator, bound: bool = True) -> Passkey:
    passkey = Passkey.objects.create(key_id=device.key, user=user, party_id=party, member=member_id(user, party),
                                     credential_id=device.credential, public_key=device.cose, device="test")
    if bound:
        with clock.frozen_at(START):
            record_built([bind(passkey)])
    return passkey


def prepare(client: Client, form: dict | None = None) -> dict:
    with clock.frozen_at(START + 60):
        response = client.post("/incidents", form or REPORT, HTTP_X_CORRIDOR_SIGN="prepare")
    assert response.status_code == 200, response.content
    return response.json()


def complete(client: Client, answer: dict, assertion) -> tuple[int, dict]:
    body = {"authenticatorData": _b64url(assertion.authenticator_data),
            "clientDataJSON": _b64url(assertion.client_data_json), "signature": _b64url(assertion.signature)}
    with clock.frozen_at(START + 61):
        response = client.post(answer["complete"], json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def challenge_of(answer: dict) -> bytes:
    return base64.urlsafe_b64decode(answer["challenge"] + "==")


def test_the_statement_shown_is_the_one_signed_and_recorded(officer):
    client, device, passkey, _ = officer
    answer = prepare(client)
    statement = json.loads(answer["statement"])
    assert statement["key"] == passkey.key_id and statement["type"] == "incident.report"
    assert challenge_of(answer) == statement_digest(statement)
    assert answer["credentials"] == [_b64url(device.credential)]
    assert "incident i-1" in answer["summary"] and "border/m1" in answer["summary"]
    before = LogEntry.objects.count()
    status, body = complete(client, answer, device.assertion(challenge_of(answer)))
    assert status == 200, body
    entry = bytes(LogEntry.objects.order_by("-idx").first().data)
    assert LogEntry.objects.count() == before + 1
    assert canonical_json(unseal(entry).statement) == answer["statement"].encode()
    assert PendingSignature.objects.count() == 0


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]


REFUSALS = {
    "over another statement": (lambda d, c: d.assertion(statement_digest({"type": "other"})), "passkey.challenge"),
    "a changed byte in client data": (
        lambda d, c: _with(d.assertion(c), client_data_json=_flip(d.assertion(c).client_data_json, -5)),
        "signature.invalid"),
    "a changed byte in authenticator data": (
        lambda d, c: _with(d.assertion(c), authenticator_data=_flip(d.assertion(c).authenticator_data, 36)),
        "signature.invalid"),
    "a foreign origin": (lambda d, c: d.assertion(c, origin="https://evil.example"), "passkey.origin"),
    "a foreign rp id": (lambda d, c: d.assertion(c, rp_id="evil.example"), "passkey.origin"),
    "user verification off": (lambda d, c: d.assertion(c, flags=UP), "passkey.flags"),
}


def _with(assertion, **changes):
    from dataclasses import replace

    return replace(assertion, **changes)


@pytest.mark.parametrize("case", REFUSALS)
def test_a_bad_assertion_is_refused_with_its_code_and_nothing_is_recorded(officer, case):
    client, device, _, _ = officer
    make, code = REFUSALS[case]
    answer = prepare(client)
    before = LogEntry.objects.count()
    status, body = complete(client, answer, make(device, challenge_of(answer)))
    assert (status, body["code"]) == (403 if code.startswith(("passkey.", "signature.")) else 422, code), body
    assert LogEntry.objects.count() == before


def test_a_replayed_assertion_finds_nothing_to_sign(officer):
    client, device, _, _ = officer
    answer = prepare(client)
    assertion = device.assertion(challenge_of(answer))
    assert complete(client, answer, assertion)[0] == 200
    before = LogEntry.objects.count()
    status, body = complete(client, answer, assertion)
    assert (status, body["code"]) == (404, "sign.unknown")
    assert LogEntry.objects.count() == before


def test_a_counter_that_went_backwards_is_refused_as_a_clone(officer):
    client, device, _, _ = officer
    first = prepare(client)
    assert complete(client, first, device.assertion(challenge_of(first), count=5))[0] == 200
    second = prepare(client, {**REPORT, "incident": "i-2"})
    before = LogEntry.objects.count()
    status, body = complete(client, second, device.assertion(challenge_of(second), count=3))
    assert (status, body["code"]) == (403, "passkey.counter")
    assert LogEntry.objects.count() == before


def test_a_passkey_revoked_between_showing_and_signing_is_refused(officer):
    client, device, passkey, _ = officer
    answer = prepare(client)
    from corridor.service.ledger.keys import OPERATOR
    from corridor.service.ledger.record import custodial

    with clock.frozen_at(START + 60):  # the device was reported lost meanwhile
        record_built([custodial(OPERATOR, "key.revoke", {"key": passkey.key_id, "reason": "device.lost"})])
    before = LogEntry.objects.count()
    status, body = complete(client, answer, device.assertion(challenge_of(answer)))
    assert (status, body["code"]) == (403, "key.revoked")
    assert LogEntry.objects.count() == before


def test_an_unbound_passkey_signs_nothing(parties):
    """Registered but never bound: the form posts as before (the server signs, custodially); an assertion by
    that passkey over a statement naming it is refused by the key history."""
    user = _user("recv-officer", "recv", "officer")
    client = Client()
    client.force_login(user)
    device = Authenticator("Ed25519", origin=CONFIG.webauthn_origin, rp_id=CONFIG.webauthn_rp_id)
    enrol(user, "recv", device, bound=False)
    assert prepare(client, {**REPORT, "as": "recv"}) == {"custodial": True}
    statement = {"type": "incident.dispute", "party": "recv", "seq": 2, "time": "2023-09-11T00:12:00Z",
                 "payload": {"incident": "i-9", "text": "no"}}
    from corridor.service.ledger.record import Refused, record

    with clock.frozen_at(START + 120), pytest.raises(Refused) as refused:
        record(device.seal(statement))
    assert refused.value.code == "key.unknown"


def test_another_users_signing_request_is_not_theirs_to_complete(officer, parties):
    client, device, _, _ = officer
    answer = prepare(client)
    intruder = Client()
    intruder.force_login(_user("customs-officer", "customs", "officer"))
    body = {"authenticatorData": "AA", "clientDataJSON": "AA", "signature": "AA"}
    response = intruder.post(answer["complete"], json.dumps(body), content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (404, "sign.unknown")
    assert PendingSignature.objects.count() == 1  # still the officer's to sign


def test_a_signing_request_expires(officer):
    client, device, _, _ = officer
    answer = prepare(client)
    PendingSignature.objects.update(created=PendingSignature.objects.get().created - timedelta(minutes=6))
    status, body = complete(client, answer, device.assertion(challenge_of(answer)))
    assert (status, body["code"]) == (410, "sign.expired")
    PendingSignature.objects.create(token="old", user=PendingSignature._meta.get_field("user").related_model
                                    .objects.first(), statement="{}", private={}, back="/",
                                    created=timezone.now() - timedelta(minutes=6))
    prepare(client)  # an abandoned request (the officer closed the tab) is cleared by the next one
    assert not PendingSignature.objects.filter(token="old").exists()


def test_custody_ends_only_with_an_admins_passkey_and_then_the_server_signs_nothing(officer):
    client, device, _, _ = officer
    with clock.frozen_at(START + 60):
        response = client.post("/parties/border/members", {"action": "end-custody"}, follow=True)
    assert "End custodial signing with your own passkey (bind one first)." in response.content.decode()
    answer_response = None
    with clock.frozen_at(START + 60):
        answer_response = client.post("/parties/border/members", {"action": "end-custody"},
                                      HTTP_X_CORRIDOR_SIGN="prepare").json()
    assert json.loads(answer_response["statement"])["payload"]["reason"] == "custody.ended"
    assert complete(client, answer_response, device.assertion(challenge_of(answer_response)))[0] == 200
    assert not PartyKey.objects.filter(party_id="border", sealed_private__isnull=False).exists()
    with clock.frozen_at(START + 120):
        response = client.post("/incidents", REPORT, follow=True)  # a plain post: the server would sign
    assert "You have a passkey bound to this party: sign with it." in response.content.decode()  # never the server
    clerk = Client()
    clerk.force_login(_user("border-clerk", "border", "officer"))
    with clock.frozen_at(START + 120):
        response = clerk.post("/incidents", REPORT, follow=True)  # no passkey, and no custody left
    assert "The server holds no key of this party any more" in response.content.decode()


def test_only_a_partys_admin_sees_its_members(parties):
    officer = Client()
    officer.force_login(_user("border-clerk", "border", "officer"))
    assert officer.get("/parties/border/members").status_code == 404
    admin = Client()
    admin.force_login(_user("customs-admin", "customs", "admin"))
    assert admin.get("/parties/border/members").status_code == 404
    assert admin.get("/parties/customs/members").status_code == 200


def test_registration_refuses_an_answer_that_is_not_webauthns(parties):
    client = Client()
    client.force_login(_user("escort-officer", "escort", "officer"))
    options = client.post("/account/passkeys/options", {"party": "escort"}).json()
    assert options["rp"]["id"] == CONFIG.webauthn_rp_id and options["authenticatorSelection"]["userVerification"] \
        == "required"
    response = client.post("/account/passkeys/register", json.dumps({"credential": {"id": "x"}, "device": "t"}),
                           content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (422, "passkey.registration")
    assert client.post("/account/passkeys/options", {"party": "border"}).json()["code"] == "party.not_member"


def _user(name: str, party: str, role: str):
    return do_create_user(name, party, role, password="a-long-test-password")[0]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_revoking_names_the_member_and_device_and_frees_the_device_to_register_again(officer):
    client, device, passkey, _ = officer
    with clock.frozen_at(START + 60):
        answer = client.post("/parties/border/members", {"action": "revoke", "key": passkey.key_id,
                                                         "reason": "device.lost"}, HTTP_X_CORRIDOR_SIGN="prepare")
    assert "border/m1 (“test”)" in answer.json()["summary"]
    options = client.post("/account/passkeys/options", {"party": "border"}).json()
    assert options["excludeCredentials"][0]["id"] == _b64url(device.credential)  # bound: this device has one
    assert complete(client, answer.json(), device.assertion(challenge_of(answer.json())))[0] == 200
    options = client.post("/account/passkeys/options", {"party": "border"}).json()
    assert options.get("excludeCredentials", []) == []  # revoked for good: the device may register a new one


def test_leaving_the_party_or_its_admin_role_revokes_the_passkeys_on_the_log(officer):
    """Accounts are not on the log: the operator revokes a departing member's passkeys there, so the device
    cannot go on signing in the party's name (through the API's POST /statements, say)."""
    from corridor.service.ledger.record import current_fold, recording_transaction
    from corridor.service.parties.models import Membership

    client, device, passkey, user = officer
    with clock.frozen_at(START + 60):
        Membership.objects.filter(user=user, party_id="border").update(role="admin")  # no signal: unchanged
        membership = Membership.objects.get(user=user, party_id="border")
        membership.role = "officer"
        with recording_transaction():  # the fold before the database, as the admin's views take it
            membership.save()  # a demoted admin's passkey was bound as an admin's
    assert current_fold().key_of(passkey.key_id).revoked_at is not None
    second = Authenticator("Ed25519", origin=CONFIG.webauthn_origin, rp_id=CONFIG.webauthn_rp_id)
    again = enrol(user, "border", second)
    with clock.frozen_at(START + 120), recording_transaction():
        membership.delete()
    assert current_fold().key_of(again.key_id).revoked_at is not None


def test_a_registered_party_is_never_registered_again(parties):
    from corridor.service.ledger.record import Refused
    from corridor.service.parties.operations import do_register_party

    with pytest.raises(Refused) as refused:
        do_register_party("border", "Border", "authority")
    assert refused.value.code == "party.exists"
