"""Statements a party signs with a key it keeps itself (`corridor sign`, its own API client), and the
operator giving the server back the power to sign for a party, for tests of how each statement was signed."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.engine.times import format_time
from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import seal
from corridor.service import clock
from corridor.service.ledger.keys import OPERATOR
from corridor.service.ledger.record import current_fold, record_as, record_built
from corridor.service.parties.custody import new_custodial_key, public_of, register_key


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


def custody_regained(party: str, at: int) -> dict[str, int]:
    """`party` ends custodial signing (a key.revoke of the server's key, in its name), then the operator
    registers a new custodial key for it, so the server can sign for it again: the log index of each."""
    [old] = [r.key for r in current_fold().keys.keys.values() if r.party == party and r.custodial]
    with clock.frozen_at(at):
        ended = record_as(party, "key.revoke", {"key": old, "reason": "custody.ended"})
    private, sealed = new_custodial_key()
    with clock.frozen_at(at + 10):
        [registered] = record_built([register_key(party, public_of(private), custodial_key=True)], [sealed])
    return {"ended": ended.index, "registered": registered.index}


def revoked_by_operator(key: str, at: int) -> int:
    """The operator (registrar) revokes one of a party's keys: the log index."""
    with clock.frozen_at(at):
        return record_as(OPERATOR, "key.revoke", {"key": key, "reason": "compromised"}).index
