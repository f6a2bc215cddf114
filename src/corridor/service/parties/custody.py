"""Custodial keys: the server signs for a party with the party's own registered key, kept encrypted."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ...fold import LogFold
from ...ledger.crypto import SodiumSigningKey, public_bytes
from ...ledger.keys import KeyRecord
from ..ledger.keys import OPERATOR, open_private, seal_private
from ..ledger.record import Builder, Refused, custodial
from .models import PartyKey

_opened: dict[str, SodiumSigningKey] = {}  # key id -> private key, decrypted once per process


def custodial_key(fold: LogFold, party: str) -> tuple[str, SodiumSigningKey]:
    """The party's newest valid key whose private half the server holds, as (key id, private key). Validity
    comes from the log's key history (the fold); the private half is read and decrypted once per process."""
    history = fold.keys.keys
    chosen = _chosen.get(party)
    if chosen is None or not _still_chosen(chosen, history):
        chosen = _chosen[party] = (history, len(history), _newest_custodial(history, party))
    record = chosen[2]
    return record.key, _opened[record.key]


# party -> (the key history as it was, its size then, the record chosen): a custodial write looks its key up
# here, not among every party's keys (they grow with the members' passkeys)
_chosen: dict[str, tuple[dict[str, KeyRecord], int, KeyRecord]] = {}


def _still_chosen(chosen: tuple, history: dict[str, KeyRecord]) -> bool:
    """Exact: the key history only adds records (any registration, binding or rotation changes its size) and
    revokes them (`revoked_at`); a revoked record not chosen leaves the newest valid one as it was. A fold
    dropped or loaded anew holds another dict."""
    kept, size, record = chosen
    return kept is history and size == len(history) and record.revoked_at is None


def _newest_custodial(history: dict[str, KeyRecord], party: str) -> KeyRecord:
    valid = sorted((r for r in history.values() if r.party == party and r.revoked_at is None),
                   key=lambda r: -r.valid_after)
    for record in valid:
        if record.key not in _opened:
            sealed = PartyKey.objects.filter(key_id=record.key).values_list("sealed_private", flat=True).first()
            if sealed is None:
                continue
            _opened[record.key] = SodiumSigningKey(open_private(sealed))
        return record
    raise Refused("key.not_custodial", f"the server holds no valid key for {party}: its statements are signed by "
                  "its own people. Sign with a passkey bound to it (register one under My account and have an "
                  f"admin of {party} bind it), or with a key {party} keeps itself", 403)


def new_custodial_key() -> tuple[Ed25519PrivateKey, bytes]:
    """A fresh key pair for a party, and its private half sealed for storage."""
    private = Ed25519PrivateKey.generate()
    return private, seal_private(private)


def register_key(party: str, public: bytes, *, custodial_key: bool) -> Builder:
    """The operator's `key.register` statement for one of a party's public keys. `custodial_key`: the server
    keeps the private half (it signs for the party with it); the log says so ("custodial": true), so anyone
    can tell the statements the server signed from those the party signed itself."""
    payload = {"party": party, "public": base64.b64encode(public).decode()}
    if custodial_key:
        payload["custodial"] = True
    return custodial(OPERATOR, "key.register", payload)


def public_of(private: Ed25519PrivateKey) -> bytes:
    return public_bytes(private)
