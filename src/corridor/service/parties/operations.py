"""Operator actions on the registry and on accounts: `do_<verb>_<noun>`. Registry changes are statements
signed by the operator and go through `record()`; accounts (users, roles, tokens) are not on the log."""

from __future__ import annotations

import base64
import secrets

import msgspec
from django.contrib.auth import get_user_model

from ...engine.model import Party as PartyRecord
from ...engine.model import Route as RouteRecord
from ..ledger.keys import OPERATOR
from ..ledger.record import Recorded, Refused, custodial, record_as, record_built, recording_transaction
from .custody import new_custodial_key, public_of, register_key
from .models import ApiToken, Membership, Party, PartyContact


def do_register_party(party_id: str, name: str, kind: str, *, public: bytes | None = None) -> list[Recorded]:
    """Register a party and one key for it: a new custodial key, or the public key the party keeps. Never
    again for a party already registered: that would quietly hand the server a key of a party that may have
    ended custodial signing (a new key for a party is registered on its own, in the admin, in plain view)."""
    if Party.objects.filter(pk=party_id).exists():
        raise Refused("party.exists", f"party {party_id} is already registered; its keys are managed on their own "
                      "(admin: party keys), and every registration is shown to the party's admins")
    payload = msgspec.to_builtins(PartyRecord(id=party_id, name=name, kind=kind))
    sealed = None
    if public is None:
        private, sealed = new_custodial_key()
        public = public_of(private)
    builders = [custodial(OPERATOR, "party.register", payload),
                register_key(party_id, public, custodial_key=sealed is not None)]
    return record_built(builders, [None, sealed])


def do_rotate_key(party_id: str) -> Recorded:
    """Replace the party's custodial key: a `key.rotate` signed by the current key (so the log shows the
    party itself moved to the new key); the old key is revoked from that entry on."""
    private, sealed = new_custodial_key()
    payload = {"public": base64.b64encode(public_of(private)).decode()}
    return record_as(party_id, "key.rotate", payload, private=sealed)


def do_define_route(route: RouteRecord | dict) -> Recorded:
    payload = route if isinstance(route, dict) else msgspec.to_builtins(route)
    return record_as(OPERATOR, "route.define", payload)


def do_set_contact(party_id: str, email: str = "", webhook_url: str = "", language: str = "en") -> PartyContact:
    contact, _ = PartyContact.objects.update_or_create(party_id=party_id, defaults={
        "email": email, "webhook_url": webhook_url, "language": language})
    if webhook_url and not contact.webhook_secret:
        contact.webhook_secret = secrets.token_hex(32)
        contact.save(update_fields=["webhook_secret"])
    return contact


@recording_transaction()  # a membership changed may revoke passkeys on the log (passkeys.py)
def do_create_user(username: str, party_id: str, role: str, password: str | None = None):
    """Create (or update) a user with a role in a party; returns (user, password)."""
    password = password or secrets.token_urlsafe(12)
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.set_password(password)
    user.save()
    Membership.objects.update_or_create(user=user, party_id=party_id, defaults={"role": role})
    return user, password


def do_issue_token(user, label: str = "") -> str:
    """A new API token: shown once, stored as its SHA-256."""
    token = "cor_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=ApiToken.digest_of(token), label=label)
    return token
