"""Checking every entry of a log: canonical, signed statements made with keys valid at their index, and
how each was signed.

The key history is sequential (a registration changes what later entries may use), and so is a passkey's
signature counter; checking signatures is not. One pass in order resolves each entry's key, applies the
key statements (checked in full), and makes every check of a passkey-signed entry but the signature
itself (client data, challenge, origin, RP id, flags, counter: see passkeys.py). The signatures of all
other entries, Ed25519 and passkey alike, are then checked in parallel, one worker per core. The first
failing entry (lowest index) is reported, with the code a sequential check would give it.
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import msgspec

from .envelope import PASSKEY_PREFIX, EnvelopeError, unseal
from .keys import KEY_STATEMENTS, KeyHistory, KeyRecord, signing_kind
from .passkeys import WebAuthnPolicy, check_signature

PARALLEL_FROM = 20_000  # below this many entries, worker start-up costs more than it saves
CHUNK = 5_000
KINDS = ("registrar", "custodial", "party", "passkey")


class EntryError(Exception):
    def __init__(self, index: int, code: str, message: str) -> None:
        super().__init__(f"entry {index}: {code}: {message}")
        self.index, self.code, self.message = index, code, message


@dataclass
class SigningSummary:
    """How the entries were signed: counts per kind ("registrar", "custodial", "party", "passkey"), per
    party and kind, and per passkey member ("border/m3")."""

    kinds: Counter = field(default_factory=Counter)
    parties: dict[str, Counter] = field(default_factory=dict)
    members: Counter = field(default_factory=Counter)

    def add(self, party: str, record: KeyRecord) -> None:
        kind = signing_kind(record)
        self.kinds[kind] += 1
        self.parties.setdefault(party, Counter())[kind] += 1
        if record.member:
            self.members[record.member] += 1

    def to_json(self) -> dict:
        return {"kinds": {kind: self.kinds[kind] for kind in KINDS},
                "parties": {party: {k: n for k, n in sorted(c.items())} for party, c in sorted(self.parties.items())},
                "members": dict(sorted(self.members.items()))}


def audit_entries(entries: list[bytes], registrars: list[tuple[str, bytes]], workers: int | None = None,
                  webauthn: WebAuthnPolicy | None = None) -> SigningSummary:
    """Raise EntryError for the first entry that is malformed, non-canonical or wrongly signed; else say
    how the entries were signed. `webauthn`: where passkeys may sign (none: no passkey entry passes)."""
    history, pending, summary = KeyHistory(registrars, webauthn=webauthn), [], SigningSummary()
    for index, entry in enumerate(entries):
        try:
            party, record, later = _resolve(history, index, entry)
        except EnvelopeError as error:
            failure = _first_failure(pending, workers)
            raise EntryError(*(failure or (index, error.code, error.message))) from None
        summary.add(party, record)
        if later:
            pending.append((index, entry, record.public))
    failure = _first_failure(pending, workers)
    if failure:
        raise EntryError(*failure)
    return summary


def _resolve(history: KeyHistory, index: int, entry: bytes) -> tuple[str, KeyRecord, bool]:
    """In-order pass: key statements are checked and applied now, a passkey entry checked but for its
    signature; says whether the signature is still to be checked (in parallel)."""
    head = _head(entry)
    if head is None or head.get("type") in KEY_STATEMENTS:
        envelope = unseal(entry)  # raises the precise error for a malformed entry too
        return envelope.party, history.check(index, envelope), False
    if head["key"].startswith(PASSKEY_PREFIX):
        signer = history.signer(index, unseal(entry), defer=True)
        signer.commit()
        return head["party"], signer.record, True
    record = history.valid_key(head["key"], index)
    if record.party != head["party"]:
        raise EnvelopeError("key.party", f"key {record.key} belongs to {record.party}, not {head['party']}")
    return head["party"], record, True


def _head(entry: bytes) -> dict | None:
    try:
        value = msgspec.json.decode(entry)
    except msgspec.DecodeError:
        return None
    statement = value.get("statement") if isinstance(value, dict) else None
    if not isinstance(statement, dict) or not all(isinstance(statement.get(k), str) for k in ("key", "party")):
        return None
    return statement


Failure = tuple[int, str, str]  # index, code, message: plain values, so they cross process boundaries


def _first_failure(pending: list, workers: int | None) -> Failure | None:
    if len(pending) < PARALLEL_FROM or (workers or os.cpu_count() or 1) == 1:
        return _check_chunk(pending)
    chunks = [pending[i : i + CHUNK] for i in range(0, len(pending), CHUNK)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        failures = [f for f in pool.map(_check_chunk, chunks) if f]
    return min(failures, key=lambda f: f[0]) if failures else None


def _check_chunk(chunk: list[tuple[int, bytes, bytes]]) -> Failure | None:
    for index, entry, public in chunk:
        try:
            envelope = unseal(entry)
            if envelope.assertion is not None:
                check_signature(envelope.assertion, public)
            else:
                envelope.verify(public)
        except EnvelopeError as error:
            return index, error.code, error.message
    return None
