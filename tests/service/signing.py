"""Statements a party signs with a key it keeps itself (`corridor sign`, its own API client), for tests of
how each statement was signed."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.engine.times import format_time
from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import seal
from corridor.service import clock
from corridor.service.ledger.record import current_fold, record_built
from corridor.service.parties.custody import register_key


def own_key(party: str, at: int) -> Ed25519PrivateKey:
    """A key `party` keeps itself, registered by the operator (no "custodial" on the log)."""
    private = Ed25519PrivateKey.generate()
    with clock.frozen_at(at):
        record_built([register_key(party, public_bytes(private), custodial_key=False)])
    return private


def self_signed(client, key: Ed25519PrivateKey, kind: str, payload: dict, at: int, plan: str | None = None):
    """POST /statements: the entry as the party signed it, numbered after its last statement."""
    statement = {"type": kind, "party": client.party, "seq": current_fold().next_seq(client.party),
                 "time": format_time(at), "payload": payload} | ({"plan": plan} if plan else {})
    with clock.frozen_at(at):
        return client.post("/statements", raw=seal(statement, key))
