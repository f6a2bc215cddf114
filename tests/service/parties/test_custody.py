"""Custodial keys are encrypted at rest; a party that keeps its own key is never signed for."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.ledger.crypto import public_bytes
from corridor.service import clock
from corridor.service.ledger.keys import open_private
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
