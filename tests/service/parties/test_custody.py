"""Custodial keys are encrypted at rest; a party that keeps its own key is never signed for."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.ledger.crypto import public_bytes, verify_ed25519
from corridor.service import clock
from corridor.service.ledger.keys import open_private
from corridor.service.ledger.record import Refused, current_fold
from corridor.service.parties.custody import custodial_key
from corridor.service.parties.models import PartyKey
from corridor.service.parties.operations import do_create_user, do_issue_token, do_register_party

from ..conftest import PartyClient
from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000


def test_the_private_half_is_stored_encrypted_and_opens_to_the_registered_key(parties):
    key = PartyKey.objects.get(party_id="org-a")
    sealed = bytes(key.sealed_private)
    private = open_private(sealed)
    assert public_bytes(private) == bytes(key.public)
    assert private.private_bytes_raw() not in sealed
    with pytest.raises(InvalidToken):
        Fernet(Fernet.generate_key()).decrypt(sealed)


def test_the_server_does_not_sign_for_a_party_that_keeps_its_key(parties):
    own = Ed25519PrivateKey.generate()
    with clock.frozen_at(T):
        do_register_party("ngo-own", "Own-key NGO", "humanitarian", public=public_bytes(own))
    user, _ = do_create_user("ngo-own-officer", "ngo-own", "officer")
    client = PartyClient("ngo-own", do_issue_token(user))
    with clock.frozen_at(T + 60):
        status, answer = client.post("/plans", plan_body())
    assert (status, answer["code"]) == (403, "key.not_custodial")
    assert base64.b64encode(bytes(PartyKey.objects.get(party_id="ngo-own").public))


class CountingHistory(dict):
    """A key history that counts how often every record is walked."""

    walks = 0

    def values(self):
        CountingHistory.walks += 1
        return super().values()


def test_the_key_a_party_signs_with_is_looked_up_again_only_when_the_key_history_changed(parties, monkeypatch):
    fold = current_fold()
    history = CountingHistory(fold.keys.keys)
    monkeypatch.setattr(fold.keys, "keys", history)
    key, private = custodial_key(fold, "org-a")
    assert history[key].party == "org-a"
    assert verify_ed25519(history[key].public, b"message", private.sign(b"message"))
    walks = CountingHistory.walks
    assert custodial_key(fold, "org-a") == (key, private) and CountingHistory.walks == walks
    monkeypatch.setattr(history[key], "revoked_at", fold.size)  # revoked: org-a holds no other key
    with pytest.raises(Refused) as refused:
        custodial_key(fold, "org-a")
    assert refused.value.code == "key.not_custodial" and CountingHistory.walks == walks + 1
