"""Envelopes: canonical JSON (RFC 8785 vectors), signing, and every refusal."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import EnvelopeError, canonical_json, key_id, seal, unseal

from .vectors import vectors_dir

STATEMENT = {"type": "plan.cancel", "party": "org-a", "seq": 1, "time": "2023-09-11T08:00:00Z", "plan": "p1",
             "payload": {"text": "Goods redirected — €"}}


def jcs_cases():
    root = vectors_dir("jcs", "testdata")
    return sorted(p.name for p in (root / "input").glob("*.json"))


@pytest.mark.parametrize("name", jcs_cases())
def test_rfc8785_vectors(name):
    root = vectors_dir("jcs", "testdata")
    value = json.loads((root / "input" / name).read_text(encoding="utf-8"))
    expected = (root / "output" / name).read_bytes()
    assert canonical_json(value) == expected
    hex_text = (root / "outhex" / name.replace(".json", ".txt")).read_text().split()
    assert canonical_json(value) == bytes.fromhex("".join(hex_text))


def test_sealed_entry_opens_and_verifies():
    key = Ed25519PrivateKey.generate()
    envelope = unseal(seal(STATEMENT, key))
    assert envelope.statement["payload"] == STATEMENT["payload"]
    assert envelope.key == key_id(public_bytes(key))
    envelope.verify(public_bytes(key))


def test_wrong_key_or_tampered_statement_fails():
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    entry = seal(STATEMENT, key)
    with pytest.raises(EnvelopeError) as failure:
        unseal(entry).verify(public_bytes(other))
    assert failure.value.code == "key.mismatch"
    tampered = entry.replace(b'"seq":1', b'"seq":2')
    with pytest.raises(EnvelopeError) as failure:
        unseal(tampered).verify(public_bytes(key))
    assert failure.value.code == "signature.invalid"


@pytest.mark.parametrize(("mutate", "code"), [
    (lambda e: e.replace(b'{"signature"', b'{ "signature"'), "entry.not_canonical"),
    (lambda e: e.replace(b'"seq":1', b'"seq":1.0'), "value.float"),
    (lambda e: e.replace(b'"seq":1', b'"seq":9007199254740993'), "value.too_large"),
    (lambda e: e[:-1], "entry.malformed"),
    (lambda e: e.replace(b'"seq":1', b'"seq":1,"seq":2'), "entry.not_canonical"),  # duplicate key
    (lambda e: b'{"signature":"x","statement":{},"extra":1}', "entry.malformed"),
    (lambda e: b" " * 0x10000, "entry.too_large"),
])
def test_refusals(mutate, code):
    entry = seal(STATEMENT, Ed25519PrivateKey.generate())
    with pytest.raises(EnvelopeError) as failure:
        unseal(mutate(entry))
    assert failure.value.code == code


def test_floats_and_big_integers_cannot_be_sealed():
    key = Ed25519PrivateKey.generate()
    with pytest.raises(EnvelopeError, match="value.float"):
        seal({**STATEMENT, "payload": {"weight": 1.5}}, key)
    with pytest.raises(EnvelopeError, match="value.too_large"):
        seal({**STATEMENT, "seq": 2**53}, key)


@pytest.mark.parametrize("value", [
    {"b": 1, "a": [True, None, "x\u0001\u2028\"\\"], "é": {"z": -5, "€": "€"}},
    {"\ue000": 1, "\U0001f600": 2, "a": 3},  # keys whose code-point and UTF-16 orders differ
    {"nested": [{"\ufb33": "", "\U00010000": ""}]},
])
def test_fast_canonical_form_agrees_with_rfc8785(value):
    import rfc8785

    from corridor.ledger.envelope import is_canonical

    exact = rfc8785.dumps(value)
    assert canonical_json(value) == exact
    assert is_canonical(value, exact)
    assert not is_canonical(value, exact + b" ")
    # a sealed entry is the reference form of {signature, statement}, whichever encoder the statement needs
    entry = seal({**STATEMENT, "payload": value}, Ed25519PrivateKey.generate())
    assert entry == rfc8785.dumps(json.loads(entry)) and unseal(entry).statement["payload"] == value


@pytest.mark.parametrize("statement", [
    {**STATEMENT, "payload": {"text": "a\u0000b"}},
    {**STATEMENT, "payload": {"lines": [{"item": "\u0000"}]}},
    {**STATEMENT, "payload": {"a\u0000": 1}},
])
def test_the_nul_character_can_be_neither_sealed_nor_unsealed(statement):
    key = Ed25519PrivateKey.generate()
    with pytest.raises(EnvelopeError, match="value.nul"):
        seal(statement, key)
    entry = canonical_json({"signature": "AA==", "statement": {**statement, "key": key_id(public_bytes(key))}})
    with pytest.raises(EnvelopeError, match="value.nul"):
        unseal(entry)


@pytest.mark.parametrize("payload", [
    {"note": "plain"},
    {"\ue000": 1, "\U0001f600": 2, "a": 3},  # keys whose code-point and UTF-16 orders differ
    {"text": "é€\U0001f600 \"quoted\" \\ \"statement\":{}"},
])
def test_unseal_cuts_the_signed_statement_from_the_canonical_entry(payload):
    key = Ed25519PrivateKey.generate()
    envelope = unseal(seal({**STATEMENT, "payload": payload}, key))
    assert envelope.statement_json == canonical_json(envelope.statement)
    envelope.verify(public_bytes(key))


def test_a_key_at_or_above_e000_spelt_with_an_escape_is_not_canonical():
    key = Ed25519PrivateKey.generate()
    entry = seal({**STATEMENT, "payload": {"\ue000": 1, "a": 2}}, key)
    escaped = entry.replace("\ue000".encode(), b"\\ue000")
    assert escaped != entry
    with pytest.raises(EnvelopeError, match="entry.not_canonical"):
        unseal(escaped)


@pytest.mark.parametrize("value", [
    {"a": [1, {"b": "x"}]}, [True, None, -(2**53 - 1)], "text",
])
def test_check_values_accepts_plain_json(value):
    from corridor.ledger.envelope import check_values

    check_values(value)
