"""Key history: registration, rotation and revocation decide which signatures count at which index."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import EnvelopeError, key_id, seal, unseal
from corridor.ledger.keys import KeyHistory


class Log:
    def __init__(self):
        self.operator = Ed25519PrivateKey.generate()
        self.history = KeyHistory([("operator", public_bytes(self.operator))])
        self.index = 0

    def add(self, party, key, kind="plan.cancel", /, **payload):
        statement = {"type": kind, "party": party, "seq": self.index + 1, "time": "2023-09-11T08:00:00Z",
                     "payload": payload}
        envelope = unseal(seal(statement, key))
        self.history.check(self.index, envelope)
        self.index += 1

    def register(self, party, key):
        self.add("operator", self.operator, "key.register", party=party,
                 public=base64.b64encode(public_bytes(key)).decode())


def test_registered_key_signs_for_its_party_only():
    log, key = Log(), Ed25519PrivateKey.generate()
    log.register("org-a", key)
    log.add("org-a", key)
    with pytest.raises(EnvelopeError, match="key.party"):
        log.add("border", key)


def test_unregistered_key_is_refused():
    with pytest.raises(EnvelopeError, match="key.unknown"):
        Log().add("org-a", Ed25519PrivateKey.generate())


def test_only_registrars_register():
    log, key = Log(), Ed25519PrivateKey.generate()
    log.register("org-a", key)
    with pytest.raises(EnvelopeError, match="key.unauthorised"):
        log.add("org-a", key, "key.register", party="org-a",
                public=base64.b64encode(public_bytes(Ed25519PrivateKey.generate())).decode())


def test_rotation_hands_over_and_revokes_the_old_key():
    log, old, new = Log(), Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    log.register("org-a", old)
    log.add("org-a", old, "key.rotate", public=base64.b64encode(public_bytes(new)).decode())
    log.add("org-a", new)
    with pytest.raises(EnvelopeError, match="key.revoked"):
        log.add("org-a", old)


def test_revocation_by_registrar_or_owner_but_not_by_others():
    log, key, other = Log(), Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    log.register("org-a", key)
    log.register("border", other)
    with pytest.raises(EnvelopeError, match="key.unauthorised"):
        log.add("border", other, "key.revoke", key=key_id(public_bytes(key)), reason="hostile")
    log.add("operator", log.operator, "key.revoke", key=key_id(public_bytes(key)), reason="compromised")
    with pytest.raises(EnvelopeError, match="key.revoked"):
        log.add("org-a", key)


def test_a_key_cannot_be_registered_twice():
    log, key = Log(), Ed25519PrivateKey.generate()
    log.register("org-a", key)
    with pytest.raises(EnvelopeError, match="key.duplicate"):
        log.register("org-b", key)


def test_the_revoking_entry_itself_may_be_signed_by_the_key_it_revokes():
    log, key = Log(), Ed25519PrivateKey.generate()
    log.register("org-a", key)
    log.add("org-a", key, "key.revoke", key=key_id(public_bytes(key)), reason="retired")
    with pytest.raises(EnvelopeError, match="key.revoked"):
        log.add("org-a", key)


def test_a_key_is_not_valid_for_the_entry_that_registers_it():
    log, key = Log(), Ed25519PrivateKey.generate()
    public = base64.b64encode(public_bytes(key)).decode()
    statement = {"type": "key.register", "party": "org-a", "seq": 1, "time": "2023-09-11T08:00:00Z",
                 "payload": {"party": "org-a", "public": public}}
    with pytest.raises(EnvelopeError, match="key.unknown"):
        log.history.check(0, unseal(seal(statement, key)))


def test_rotation_to_a_malformed_key_is_refused():
    log, key = Log(), Ed25519PrivateKey.generate()
    log.register("org-a", key)
    with pytest.raises(EnvelopeError, match="entry.malformed"):
        log.add("org-a", key, "key.rotate", public="c2hvcnQ=")
