"""The fold of a log: key history and engine together, entry by entry."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.engine import RuleViolation, to_json
from corridor.fold import LogFold
from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import EnvelopeError, seal

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
