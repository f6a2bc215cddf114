"""Auditing every entry, in order and in parallel, reports the same first failure."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.ledger import audit
from corridor.ledger.audit import EntryError, audit_entries
from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import Assertion, seal, seal_passkey, unseal
from corridor.ledger.passkeys import WebAuthnPolicy
from tests.ledger.authenticator import ORIGIN, RP_ID, Authenticator

POLICY = WebAuthnPolicy.of([(RP_ID, ORIGIN)])


def log_entries(count, bad_at=()):
    operator, org = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    entries = [seal({"type": "key.register", "party": "operator", "seq": 1, "time": "2024-01-01T00:00:00Z",
                     "payload": {"party": "org-a", "public": base64.b64encode(public_bytes(org)).decode()}},
                    operator)]
    for n in range(count):
        key = Ed25519PrivateKey.generate() if n + 1 in bad_at else org
        entries.append(seal({"type": "plan.note", "party": "org-a", "seq": n + 1, "time": "2024-01-01T00:00:00Z",
                             "plan": "p", "payload": {"sha256": "ab" * 32}}, key))
    return entries, [("operator", public_bytes(operator))]


@pytest.mark.parametrize("parallel", [False, True])
def test_first_bad_entry_is_named(monkeypatch, parallel):
    monkeypatch.setattr(audit, "PARALLEL_FROM", 10 if parallel else 10**9)
    monkeypatch.setattr(audit, "CHUNK", 7)
    entries, registrars = log_entries(60, bad_at=(45, 23))
    with pytest.raises(EntryError) as failure:
        audit_entries(entries, registrars, workers=2)
    assert (failure.value.index, failure.value.code) == (23, "key.unknown")


@pytest.mark.parametrize("parallel", [False, True])
def test_a_clean_log_passes(monkeypatch, parallel):
    monkeypatch.setattr(audit, "PARALLEL_FROM", 10 if parallel else 10**9)
    entries, registrars = log_entries(40)
    audit_entries(entries, registrars, workers=2)


def test_a_tampered_signature_is_found_in_parallel(monkeypatch):
    monkeypatch.setattr(audit, "PARALLEL_FROM", 10)
    monkeypatch.setattr(audit, "CHUNK", 5)
    entries, registrars = log_entries(30)
    entries[17] = entries[17].replace(b'"seq":17', b'"seq":99')
    with pytest.raises(EntryError) as failure:
        audit_entries(entries, registrars, workers=2)
    assert (failure.value.index, failure.value.code) == (17, "signature.invalid")


def passkey_log(count, counts=None):
    """org-a's own key binds an admin passkey; the admin binds a member; the member signs `count` notes."""
    operator, org = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    admin, member = Authenticator(), Authenticator("EdDSA")

    def statement(party, seq, kind="plan.note", /, **payload):
        return {"type": kind, "party": party, "seq": seq, "time": "2024-01-01T00:00:00Z",
                "payload": payload or {"sha256": "ab" * 32}} | ({} if kind.startswith("key.") else {"plan": "p"})

    entries = [seal(statement("operator", 1, "key.register", party="org-a", public=base64.b64encode(
                    public_bytes(org)).decode(), custodial=True), operator),
               seal(statement("org-a", 1, "key.bind", **admin.bind_payload("org-a/m1", admin=True)), org),
               admin.seal(statement("org-a", 2, "key.bind", **member.bind_payload("org-a/m2")))]
    counts = counts or list(range(1, count + 1))
    entries += [member.seal(statement("org-a", 3 + n), count=counts[n]) for n in range(count)]
    entries.append(seal(statement("org-a", 3 + count), org))
    return entries, [("operator", public_bytes(operator))]


@pytest.mark.parametrize("parallel", [False, True])
def test_passkey_entries_pass_and_are_counted_by_kind_and_member(monkeypatch, parallel):
    monkeypatch.setattr(audit, "PARALLEL_FROM", 10 if parallel else 10**9)
    monkeypatch.setattr(audit, "CHUNK", 7)
    entries, registrars = passkey_log(30)
    summary = audit_entries(entries, registrars, workers=2, webauthn=POLICY).to_json()
    assert summary == {"kinds": {"registrar": 1, "custodial": 2, "party": 0, "passkey": 31},
                       "parties": {"operator": {"registrar": 1}, "org-a": {"custodial": 2, "passkey": 31}},
                       "members": {"org-a/m1": 1, "org-a/m2": 30},
                       "offline": {"passkey": 0, "parties": {}, "members": {}}}


@pytest.mark.parametrize("parallel", [False, True])
def test_a_passkey_failure_is_named_as_a_sequential_check_would(monkeypatch, parallel):
    monkeypatch.setattr(audit, "PARALLEL_FROM", 10 if parallel else 10**9)
    monkeypatch.setattr(audit, "CHUNK", 7)
    counts = list(range(1, 31))
    counts[25] = 3  # entry 28: the counter went back
    entries, registrars = passkey_log(30, counts)
    with pytest.raises(EntryError) as failure:
        audit_entries(entries, registrars, workers=2, webauthn=POLICY)
    assert (failure.value.index, failure.value.code) == (28, "passkey.counter")
    envelope = unseal(entries[12])
    signature = envelope.assertion.signature
    entries[12] = seal_passkey(envelope.statement, Assertion(envelope.assertion.authenticator_data,
                                                             envelope.assertion.client_data_json,
                                                             signature[:-1] + bytes([signature[-1] ^ 1])))
    with pytest.raises(EntryError) as failure:
        audit_entries(entries, registrars, workers=2, webauthn=POLICY)
    assert (failure.value.index, failure.value.code) == (12, "signature.invalid")


def test_passkey_entries_need_the_origin_in_the_policy():
    entries, registrars = passkey_log(2)
    with pytest.raises(EntryError) as failure:
        audit_entries(entries, registrars)
    assert (failure.value.index, failure.value.code) == (2, "passkey.origin")
