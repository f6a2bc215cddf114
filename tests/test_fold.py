"""The fold of a log: key history and engine together, entry by entry."""

from __future__ import annotations

import base64

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.engine import RuleViolation, to_json
from corridor.fold import LogFold
from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import EnvelopeError, seal, unseal
from corridor.ledger.passkeys import WebAuthnPolicy
from tests.ledger.authenticator import ORIGIN, RP_ID, Authenticator

OPERATOR_KEY = Ed25519PrivateKey.generate()
ORG_KEY = Ed25519PrivateKey.generate()


def operator(seq: int, kind: str, payload: dict, time: str = "2024-01-01T00:00:00Z") -> bytes:
    return seal({"type": kind, "party": "operator", "seq": seq, "time": time, "payload": payload}, OPERATOR_KEY)


def registered_fold() -> LogFold:
    fold = LogFold("operator", public_bytes(OPERATOR_KEY))
    fold.apply_entry(operator(1, "party.register", {"id": "org", "name": "Org", "kind": "humanitarian"}))
    fold.apply_entry(operator(2, "key.register", {"party": "org", "public": base64.b64encode(
        public_bytes(ORG_KEY)).decode()}))
    fold.apply_entry(operator(3, "party.register", {"id": "recv", "name": "Receiver", "kind": "authority"}))
    fold.apply_entry(operator(4, "route.define", {"id": "r", "name": "R", "checkpoints": [{"id": "g", "name": "G"}],
                                                  "policy": [{"party": "recv", "capacity": "receiving_security"}]}))
    return fold


def submit(seq: int = 1, **content) -> bytes:
    body = {"legs": [{"id": "l", "route": "r", "lines": [{"id": "x", "item": "Rice", "category": "food",
                                                            "quantity": 1, "unit": "t", "weight_kg": 1000}]}]}
    return seal({"type": "plan.submit", "party": "org", "seq": seq, "time": "2024-01-01T01:00:00Z", "plan": "p",
                 "payload": body | content}, ORG_KEY)


def test_registry_keys_and_plans_fold_in_order():
    fold = registered_fold()
    folded = fold.apply_entry(submit())
    assert (folded.index, folded.plans, fold.size) == (4, ["p"], 5)
    assert fold.state.plans["p"].waiting_since == {"recv": fold.state.plans["p"].submitted_at}


def test_key_statements_keep_the_operators_numbering():
    fold = registered_fold()
    with pytest.raises(RuleViolation) as caught:
        fold.apply_entry(operator(4, "party.register", {"id": "x", "name": "X", "kind": "escort"}))
    assert caught.value.code == "seq.duplicate"
    with pytest.raises(RuleViolation) as caught:
        fold.apply_entry(operator(9, "key.register", {"party": "org", "public": "AAAA"}))
    assert caught.value.code == "seq.gap"


def test_a_key_for_an_unregistered_party_is_refused_and_changes_nothing():
    fold = registered_fold()
    before = (to_json(fold.state), dict(fold.keys.keys), fold.size)
    public = base64.b64encode(public_bytes(Ed25519PrivateKey.generate())).decode()
    with pytest.raises(RuleViolation) as caught:
        fold.apply_entry(operator(5, "key.register", {"party": "ghost", "public": public}))
    assert caught.value.code == "party.unknown"
    assert (to_json(fold.state), dict(fold.keys.keys), fold.size) == before


def test_a_statement_signed_with_another_key_is_refused():
    fold = registered_fold()
    forged = seal({"type": "plan.cancel", "party": "org", "seq": 1, "time": "2024-01-01T01:00:00Z", "plan": "p",
                   "payload": {}}, Ed25519PrivateKey.generate())
    with pytest.raises(EnvelopeError) as caught:
        fold.apply_entry(forged)
    assert caught.value.code == "key.unknown"


def test_plans_whose_timers_fell_due_are_reported_as_changed():
    fold = registered_fold()
    fold.apply_entry(submit(expires_at="2024-01-02T00:00:00Z"))
    later = seal({"type": "plan.submit", "party": "org", "seq": 2, "time": "2024-01-03T00:00:00Z", "plan": "q",
                  "payload": {"legs": [{"id": "l", "route": "r", "lines": [{"id": "x", "item": "Oil", "category":
                              "food", "quantity": 1, "unit": "t", "weight_kg": 900}]}]}}, ORG_KEY)
    folded = fold.apply_entry(later)
    assert folded.plans == ["p", "q"] and fold.state.plans["p"].status == "expired"


def test_an_audited_entry_skips_only_the_signature_check():
    fold = registered_fold()
    tampered = submit().replace(b'"signature":"', b'"signature":"A', 1)
    with pytest.raises(EnvelopeError):
        registered_fold().apply_entry(tampered)
    assert fold.apply_entry(submit(), signature_checked=True).plans == ["p"]


def test_key_statements_are_checked_like_every_statement():
    fold = registered_fold()
    public = base64.b64encode(public_bytes(Ed25519PrivateKey.generate())).decode()
    for time, extra, code in [("1970-01-01T00:00:00Z", {}, "time.backwards"), ("soon", {}, "time.invalid"),
                              ("2024-01-01T00:00:00Z", {"plan": "p"}, "statement.malformed")]:
        with pytest.raises(RuleViolation) as refused:
            fold.apply_entry(seal({"type": "key.register", "party": "operator", "seq": 5, "time": time,
                                   "payload": {"party": "recv", "public": public}, **extra}, OPERATOR_KEY))
        assert refused.value.code == code
    assert fold.size == 4


# Passkeys: a party's key binds an admin's passkey, which binds a member's; they sign; revoked, refused.

POLICY = WebAuthnPolicy.of([(RP_ID, ORIGIN)])


def org(seq: int, kind: str, payload: dict, plan: str | None = None, time: str = "2024-01-01T02:00:00Z") -> dict:
    statement = {"type": kind, "party": "org", "seq": seq, "time": time, "payload": payload}
    return statement | ({"plan": plan} if plan else {})


def passkey_fold() -> tuple[LogFold, Authenticator, Authenticator]:
    fold, admin, member = LogFold("operator", public_bytes(OPERATOR_KEY), webauthn=POLICY), Authenticator(), \
        Authenticator("EdDSA")
    public = base64.b64encode(public_bytes(ORG_KEY)).decode()
    for entry in [operator(1, "party.register", {"id": "org", "name": "Org", "kind": "humanitarian"}),
                  operator(2, "key.register", {"party": "org", "public": public, "custodial": True}),
                  operator(3, "party.register", {"id": "recv", "name": "Receiver", "kind": "authority"})]:
        fold.apply_entry(entry)
    fold.apply_entry(operator(4, "route.define", {"id": "r", "name": "R", "checkpoints": [{"id": "g", "name": "G"}],
                                                  "policy": [{"party": "recv", "capacity": "receiving_security"}]}))
    fold.apply_entry(seal(org(1, "key.bind", admin.bind_payload("org/m1", admin=True)), ORG_KEY))
    fold.apply_entry(admin.seal(org(2, "key.bind", member.bind_payload("org/m2"))))
    return fold, admin, member


def test_passkey_signed_statements_fold_until_the_passkey_is_revoked():
    fold, admin, member = passkey_fold()
    body = msgspec.json.decode(submit())["statement"]["payload"]
    folded = fold.apply_entry(member.seal(org(3, "plan.submit", body, plan="p")))
    assert (folded.signed_by, folded.member, folded.plans) == ("passkey", "org/m2", ["p"])
    assert fold.key_of(member.key).sign_count == 1
    revoked = fold.apply_entry(admin.seal(org(4, "key.revoke", {"key": member.key, "reason": "phone lost"})))
    assert (revoked.statement, revoked.signed_by, revoked.member) == (None, "passkey", "org/m1")
    with pytest.raises(EnvelopeError) as refused:
        fold.apply_entry(member.seal(org(5, "plan.cancel", {}, plan="p")))
    assert refused.value.code == "key.revoked" and fold.size == 8
    assert fold.apply_entry(seal(org(5, "plan.cancel", {}, plan="p"), ORG_KEY)).signed_by == "custodial"


def test_a_statement_the_engine_refuses_does_not_move_the_passkey_counter():
    fold, _, member = passkey_fold()
    with pytest.raises(RuleViolation):
        fold.apply_entry(member.seal(org(3, "plan.cancel", {}, plan="nowhere")))
    assert fold.key_of(member.key).sign_count == 0 and fold.size == 6
    with pytest.raises(EnvelopeError) as refused:
        fold.apply_entry(member.seal(org(3, "key.rotate", {"public": base64.b64encode(
            public_bytes(Ed25519PrivateKey.generate())).decode()})))
    assert refused.value.code == "key.unauthorised" and fold.key_of(member.key).sign_count == 0


def test_key_bind_is_parsed_strictly():
    fold, _, member = passkey_fold()
    payload = Authenticator().bind_payload("org/m3")
    for change in [{"admin": "yes"}, {"member": "m3"}, {"credential": "not base64!"}, {"extra": 1}]:
        with pytest.raises(RuleViolation) as refused:
            fold.apply_entry(seal(org(3, "key.bind", payload | change), ORG_KEY))
        assert refused.value.code == "statement.malformed"
    assert fold.size == 6


def test_without_a_webauthn_policy_no_passkey_signature_counts():
    fold = registered_fold()
    admin = Authenticator()
    fold.apply_entry(seal({"type": "key.bind", "party": "org", "seq": 1, "time": "2024-01-01T02:00:00Z",
                           "payload": admin.bind_payload("org/m1", admin=True)}, ORG_KEY))
    with pytest.raises(EnvelopeError) as refused:
        fold.apply_entry(admin.seal(org(2, "plan.cancel", {}, plan="p")))
    assert refused.value.code == "passkey.origin"


def test_an_audited_passkey_entry_still_keeps_its_counter():
    fold, _, member = passkey_fold()
    body = msgspec.json.decode(submit())["statement"]["payload"]
    fold.apply_entry(member.seal(org(3, "plan.submit", body, plan="p"), count=7), signature_checked=True)
    assert fold.key_of(member.key).sign_count == 7



def test_an_entry_unsealed_by_the_caller_is_applied_as_that_envelope_and_only_with_its_own_entry():
    """The service unseals an entry to check it before the rules, then hands that envelope on: the fold
    applies it without parsing the entry again, and refuses an envelope that is not the entry's."""
    fold, again = registered_fold(), registered_fold()
    entry = submit()
    assert fold.apply_entry(entry, unsealed=unseal(entry)).envelope.entry is entry
    again.apply_entry(entry)
    assert to_json(fold.state) == to_json(again.state)
    with pytest.raises(ValueError):
        registered_fold().apply_entry(submit(seq=2), unsealed=unseal(entry))
