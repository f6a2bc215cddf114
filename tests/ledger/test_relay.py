"""Statements signed offline, relayed by the operator: the fold and `corridor verify`'s audit check the passkey's
assertion inside the relay by the key-history rules, not only the operator's signature around it."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.fold import LogFold
from corridor.ledger.audit import EntryError, audit_entries
from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import EnvelopeError, seal, statement_digest, with_passkey
from corridor.ledger.merkle import leaf_hash
from corridor.ledger.note import Signer
from corridor.ledger.passkeys import WebAuthnPolicy
from corridor.ledger.tiles import TileWriter
from corridor.ledger.trustfile import Trust
from corridor.ledger.verify import Source, VerificationError, verify_trusted
from tests.ledger.authenticator import ORIGIN, RP_ID, Authenticator

POLICY = WebAuthnPolicy.of([(RP_ID, ORIGIN)])
OPERATOR = Ed25519PrivateKey.generate()
BORDER = Ed25519PrivateKey.generate()
ORG = Ed25519PrivateKey.generate()
DAY = "2024-01-01T"


class Log:
    """The operator registers border (its own key binds an officer's passkey, border/m1) and org (which submits a
    plan on a road border inspects); then the operator relays what the officer signed offline."""

    def __init__(self) -> None:
        self.entries: list[bytes] = []
        self.seq: dict[str, int] = {}
        self.officer, self.other = Authenticator(), Authenticator("EdDSA")
        for party, kind in (("border", "authority"), ("org", "humanitarian")):
            self.operator("party.register", {"id": party, "name": party.title(), "kind": kind})
        self.operator("key.register", {"party": "border", "public": _b64(public_bytes(BORDER))})
        self.operator("key.register", {"party": "org", "public": _b64(public_bytes(ORG))})
        self.operator("route.define", {"id": "r", "name": "R", "checkpoints": [
            {"id": "g", "name": "Gate", "inspected_by": ["border"]}],
            "policy": [{"party": "border", "capacity": "border_control"}]})
        self.signed("border", BORDER, "key.bind", self.officer.bind_payload("border/m1"))
        self.signed("org", ORG, "key.bind", self.other.bind_payload("org/m1"))
        self.signed("org", ORG, "plan.submit", {"legs": [{"id": "l", "route": "r", "lines": [
            {"id": "x", "item": "Rice", "category": "food", "quantity": 1, "unit": "t", "weight_kg": 1000}]}]},
            plan="p")

    def _next(self, party: str) -> int:
        self.seq[party] = self.seq.get(party, 0) + 1
        return self.seq[party]

    def operator(self, kind: str, payload: dict, plan: str | None = None, time: str = DAY + "00:00:00Z") -> bytes:
        statement = {"type": kind, "party": "operator", "seq": self._next("operator"), "time": time,
                     "payload": payload} | ({"plan": plan} if plan else {})
        self.entries.append(seal(statement, OPERATOR))
        return self.entries[-1]

    def signed(self, party: str, key, kind: str, payload: dict, plan: str | None = None) -> None:
        statement = {"type": kind, "party": party, "seq": self._next(party), "time": DAY + "00:10:00Z",
                     "payload": payload} | ({"plan": plan} if plan else {})
        self.entries.append(seal(statement, key))

    def offline(self, mark: str, passkey: Authenticator | None = None, party: str = "border", **changes) -> tuple:
        """An arrival signed offline with `passkey` (the officer's), and its assertion as the relay carries it."""
        passkey = passkey or self.officer
        inner = with_passkey({"type": "leg.arrive", "party": party, "plan": "p", "time": DAY + "01:00:00Z",
                              "offline": {"id": mark}, "payload": {"leg": "l", "checkpoint": "g"}},
                             passkey.credential)
        assertion = passkey.assertion(statement_digest(inner), **changes).to_json()
        return inner, assertion

    def relay(self, inner: dict, assertion: dict) -> bytes:
        return self.operator("offline.relay", {"statement": inner, "assertion": assertion}, plan="p",
                             time=DAY + "03:00:00Z")

    def fold(self, entries: list[bytes] | None = None) -> LogFold:
        fold = LogFold("operator", public_bytes(OPERATOR), webauthn=POLICY)
        for entry in self.entries if entries is None else entries:
            fold.apply_entry(entry)
        return fold

    def audit(self):
        return audit_entries(self.entries, [("operator", public_bytes(OPERATOR))], webauthn=POLICY)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def refused_everywhere(log: Log, code: str) -> None:
    """The last entry is refused with `code` by the fold and by the audit, which names its index."""
    with pytest.raises(EnvelopeError) as caught:
        log.fold()
    assert caught.value.code == code, caught.value
    with pytest.raises(EntryError) as failure:
        log.audit()
    assert (failure.value.index, failure.value.code) == (len(log.entries) - 1, code)


def test_a_relayed_statement_folds_with_its_passkey_and_passes_the_audit():
    log = Log()
    log.relay(*log.offline("a" * 32))
    fold = log.fold(log.entries[:-1])
    folded = fold.apply_entry(log.entries[-1])
    assert (folded.signed_by, folded.relayed.member, folded.plans) == ("registrar", "border/m1", ["p"])
    record = fold.state.offline["a" * 32]
    assert (record.party, record.code, record.rule) == ("border", "late.state_changed", "state.wrong")
    summary = log.audit()
    assert summary.kinds["registrar"] == 6  # the relay is the operator's statement


def test_a_tampered_statement_inside_the_relay_fails_verification():
    log = Log()
    inner, assertion = log.offline("a" * 32)
    log.relay({**inner, "payload": {"leg": "l", "checkpoint": "elsewhere"}}, assertion)
    refused_everywhere(log, "passkey.challenge")


def test_a_tampered_assertion_signature_fails_verification():
    log = Log()
    inner, assertion = log.offline("a" * 32)
    signature = bytearray(base64.b64decode(assertion["signature"]))
    signature[-1] ^= 1
    log.relay(inner, {**assertion, "signature": _b64(bytes(signature))})
    refused_everywhere(log, "signature.invalid")


def test_the_passkey_must_be_of_the_statements_party():
    log = Log()
    log.relay(*log.offline("a" * 32, passkey=log.other))  # org's passkey, signing as border
    refused_everywhere(log, "key.party")


def test_a_passkey_revoked_before_the_relay_is_refused_even_if_signed_before():
    log = Log()
    relayed = log.offline("a" * 32)
    log.signed("border", BORDER, "key.revoke", {"key": log.officer.key, "reason": "tablet lost"})
    log.relay(*relayed)
    refused_everywhere(log, "key.revoked")


def test_the_assertion_must_come_from_a_declared_origin_with_user_verification():
    log = Log()
    log.relay(*log.offline("a" * 32, origin="https://evil.example"))
    refused_everywhere(log, "passkey.origin")
    log = Log()
    log.relay(*log.offline("b" * 32, flags=0x01))
    refused_everywhere(log, "passkey.flags")


def test_counters_are_not_judged_for_offline_assertions_nor_kept():
    log = Log()
    first, second = log.offline("a" * 32, count=7), log.offline("b" * 32, count=3)
    log.relay(*second)  # signed later, arrives first: counts out of order
    log.relay(*first)
    fold = log.fold()
    assert fold.key_of(log.officer.key).sign_count == 0
    log.audit()


def test_the_same_statement_relayed_twice_is_refused_by_the_rules():
    log = Log()
    relayed = log.offline("a" * 32)
    log.relay(*relayed)
    log.relay(*relayed)
    from corridor.engine import RuleViolation

    with pytest.raises(RuleViolation) as caught:
        log.fold()
    assert caught.value.code == "offline.duplicate"


def test_a_malformed_assertion_is_refused():
    log = Log()
    inner, assertion = log.offline("a" * 32)
    log.relay(inner, {**assertion, "signature": "not base64!"})
    with pytest.raises(Exception) as caught:
        log.fold()
    assert getattr(caught.value, "code", None) == "statement.malformed"


def test_the_public_figures_name_the_officer_who_signed_an_inspection_offline():
    from corridor.figures.fold import FigureFold

    log = Log()
    figures = FigureFold("operator", public_bytes(OPERATOR), webauthn=POLICY)
    for entry in log.entries:
        figures.apply(entry)
    state = figures.state
    # the plan scheduled by hand (consent and slot are not what this test is about), then arrived at the gate
    plan = state.plans["p"]
    plan.status, plan.legs["l"].phase, plan.legs["l"].checkpoint = "in_progress", "arrived", "g"
    inner = with_passkey({"type": "leg.inspect", "party": "border", "plan": "p", "time": DAY + "01:00:00Z",
                          "offline": {"id": "d" * 32}, "payload": {"leg": "l", "checkpoint": "g", "findings": [],
                                                                   "decision": "cleared"}}, log.officer.credential)
    relay = log.relay(inner, log.officer.assertion(statement_digest(inner)).to_json())
    figures.apply(relay)
    assert state.offline["d" * 32].code is None
    assert figures.inspection_signers[("p", "l", 1)] == ("passkey", "border/m1")


def _published(log: Log, directory) -> Trust:
    signer = Signer.generate("example.com/offline")
    writer = TileWriter(directory, "example.com/offline", signer)
    writer.append(log.entries, [leaf_hash(entry) for entry in log.entries])
    writer.publish_checkpoint()
    return Trust(log_key=signer.verifier, registrars=[("operator", public_bytes(OPERATOR))], webauthn=POLICY)


def test_corridor_verify_checks_the_passkey_inside_a_published_relay(tmp_path):
    log = Log()
    log.relay(*log.offline("a" * 32))
    report = verify_trusted(Source(str(tmp_path / "good")), _published(log, tmp_path / "good"))
    assert report.size == len(log.entries) and report.signing.kinds["registrar"] == 6
    assert report.signing.to_json()["offline"] == {"passkey": 1, "parties": {"border": 1},
                                                   "members": {"border/m1": 1}}
    tampered = Log()
    inner, assertion = tampered.offline("a" * 32)
    tampered.relay({**inner, "time": DAY + "01:00:01Z"}, assertion)  # the operator re-signs a changed statement
    with pytest.raises(VerificationError) as failure:
        verify_trusted(Source(str(tmp_path / "bad")), _published(tampered, tmp_path / "bad"))
    assert (failure.value.where, failure.value.message.split(":")[0]) == (
        f"entry {len(tampered.entries) - 1}", "passkey.challenge")


def test_the_audit_counts_every_passkey_signature_inside_relays_apart_from_the_operators():
    """Each relay is two signatures: the operator's (counted as the operator's entry) and the officer's passkey
    inside (counted as signed offline, per party and member); a passkey signing online is counted as before."""
    log = Log()
    log.relay(*log.offline("a" * 32))
    log.relay(*log.offline("b" * 32))
    summary = audit_entries(log.entries, [("operator", public_bytes(OPERATOR))], webauthn=POLICY).to_json()
    assert summary["kinds"] == {"registrar": 7, "custodial": 0, "party": 3, "passkey": 0}
    assert summary["parties"]["operator"] == {"registrar": 7} and summary["members"] == {}
    assert summary["offline"] == {"passkey": 2, "parties": {"border": 2}, "members": {"border/m1": 2}}
