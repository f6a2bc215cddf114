"""Auditing every entry, in order and in parallel, reports the same first failure."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.ledger import audit
from corridor.ledger.audit import EntryError, audit_entries
from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import seal


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
