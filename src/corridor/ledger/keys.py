"""Key history: which key was valid for which party at which log index.

Keys are registered, rotated and revoked by statements on the log itself, so anyone replaying the log
can tell whether a signature was made with a key that was valid at that point:

- key.register {"party", "public"}: by a registrar (the operator's key, a trust root given to the
  verifier); the key is valid for entries after this one.
- key.rotate {"public"}: by the party's current key; the new key takes over, the old one is revoked.
- key.revoke {"key", "reason"}: by a registrar or by the key's own party; no entry after it may use it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from .envelope import Envelope, EnvelopeError, key_id

KEY_STATEMENTS = frozenset({"key.register", "key.rotate", "key.revoke"})


@dataclass
class KeyRecord:
    key: str
    party: str
    public: bytes
    valid_after: int
    revoked_at: int | None = None
    registrar: bool = False


class KeyHistory:
    def __init__(self, registrars: list[tuple[str, bytes]] = ()) -> None:
        self.keys: dict[str, KeyRecord] = {}
        for party, public in registrars:
            self.keys[key_id(public)] = KeyRecord(key_id(public), party, public, -1, registrar=True)

    def check(self, index: int, envelope: Envelope) -> KeyRecord:
        """Verify the entry at `index` with the key valid there; apply it if it is a key statement."""
        record = self.valid_key(envelope.key, index)
        if record.party != envelope.party:
            raise EnvelopeError("key.party", f"key {record.key} belongs to {record.party}, not {envelope.party}")
        envelope.verify(record.public)
        kind = envelope.statement.get("type")
        if kind in KEY_STATEMENTS:
            getattr(self, "_" + kind.split(".")[1])(index, envelope, record)
        return record

    def valid_key(self, key: str, index: int) -> KeyRecord:
        record = self.keys.get(key)
        if record is None or record.valid_after >= index:
            raise EnvelopeError("key.unknown", f"key {key} was not registered before entry {index}")
        if record.revoked_at is not None and record.revoked_at < index:
            raise EnvelopeError("key.revoked", f"key {key} was revoked at entry {record.revoked_at}")
        return record

    def _register(self, index: int, envelope: Envelope, signer: KeyRecord) -> None:
        if not signer.registrar:
            raise EnvelopeError("key.unauthorised", "only a registrar registers keys")
        payload = _payload(envelope)
        self._add(index, str(payload.get("party", "")), _public(payload))

    def _rotate(self, index: int, envelope: Envelope, signer: KeyRecord) -> None:
        if signer.registrar:
            raise EnvelopeError("key.unauthorised", "a registrar registers keys; rotation is by the party itself")
        self._add(index, signer.party, _public(_payload(envelope)))
        signer.revoked_at = index

    def _revoke(self, index: int, envelope: Envelope, signer: KeyRecord) -> None:
        target = self.keys.get(str(_payload(envelope).get("key", "")))
        if target is None:
            raise EnvelopeError("key.unknown", "cannot revoke a key that was never registered")
        if not signer.registrar and target.party != signer.party:
            raise EnvelopeError("key.unauthorised", f"{signer.party} cannot revoke a key of {target.party}")
        target.revoked_at = index if target.revoked_at is None else target.revoked_at

    def _add(self, index: int, party: str, public: bytes) -> None:
        key = key_id(public)
        if not party:
            raise EnvelopeError("entry.malformed", "a key registration names its party")
        if key in self.keys:
            raise EnvelopeError("key.duplicate", f"key {key} is already registered")
        self.keys[key] = KeyRecord(key, party, public, index)


def _payload(envelope: Envelope) -> dict:
    payload = envelope.statement.get("payload")
    if not isinstance(payload, dict):
        raise EnvelopeError("entry.malformed", "a key statement carries a payload object")
    return payload


def _public(payload: dict) -> bytes:
    try:
        public = base64.b64decode(str(payload.get("public", "")), validate=True)
    except (binascii.Error, ValueError):
        public = b""
    if len(public) != 32:
        raise EnvelopeError("entry.malformed", "'public' is a base64 Ed25519 public key (32 bytes)")
    return public
