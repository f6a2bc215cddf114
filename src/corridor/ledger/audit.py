"""Checking every entry of a log: canonical, signed statements made with keys valid at their index, and
how each was signed.

The key history is sequential (a registration changes what later entries may use), and so is a passkey's
signature counter; checking signatures is not. One pass in order resolves each entry's key, applies the
key statements (checked in full), and makes every check of a passkey-signed entry but the signature
itself (client data, challenge, origin, RP id, flags, counter: see passkeys.py). The signatures of all
other entries, Ed25519 and passkey alike, are then checked in parallel, one worker per core. An offline.relay
(relay.py) is the operator's entry, checked so; the passkey's assertion it carries is checked in full in the pass,
and counted apart (SigningSummary.offline).
The first failing entry (lowest index) is reported, with the code a sequential check would give it.
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import msgspec

from .envelope import PASSKEY_PREFIX, EnvelopeError, unseal
from .keys import KEY_STATEMENTS, KeyHistory, KeyRecord, signing_kind
from .passkeys import WebAuthnPolicy, check_signature
from .relay import RELAY, check_relayed

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
    party and kind, and per passkey member ("border/m3"); and the second signature an offline.relay carries
    (the operator signs the entry, a member's passkey the statement inside it, offline), counted apart, per
    party and per member: every signature checked is reported, each once."""

    kinds: Counter = field(default_factory=Counter)
    parties: dict[str, Counter] = field(default_factory=dict)
    members: Counter = field(default_factory=Counter)
    offline: Counter = field(default_factory=Counter)  # relayed passkey signatures per party
    offline_members: Counter = field(default_factory=Counter)

    def add(self, party: str, record: KeyRecord) -> None:
        kind = signing_kind(record)
        self.kinds[kind] += 1
        self.parties.setdefault(party, Counter())[kind] += 1
        if record.member:
            self.members[record.member] += 1

    def add_offline(self, record: KeyRecord) -> None:
        """A passkey signature inside a relay (relay.check_relayed has checked it): `record` the passkey."""
        self.offline[record.party] += 1
        self.offline_members[record.member or record.key] += 1

    def to_json(self) -> dict:
        return {"kinds": {kind: self.kinds[kind] for kind in KINDS},
                "parties": {party: {k: n for k, n in sorted(c.items())} for party, c in sorted(self.parties.items())},
                "members": dict(sorted(self.members.items())),
                "offline": {"passkey": sum(self.offline.values()), "parties": dict(sorted(self.offline.items())),
                            "members": dict(sorted(self.offline_members.items()))}}


def audit_entries(entries: list[bytes], registrars: list[tuple[str, bytes]], workers: int | None = None,
                  webauthn: WebAuthnPolicy | None = None) -> SigningSummary:
    """Raise EntryError for the first entry that is malformed, non-canonical or wrongly signed; else say
    how the entries were signed. `webauthn`: where passkeys may sign (none: no passkey entry passes)."""
    history, summary = KeyHistory(registrars, webauthn=webauthn), SigningSummary()
    with SignatureChecks(len(entries), workers) as checks:
        for index, entry in enumerate(entries):
            try:
                party, record, later, relayed = _resolve(history, index, entry)
            except EnvelopeError as error:
                raise EntryError(*(checks.first_failure() or (index, error.code, error.message))) from None
            summary.add(party, record)
            if relayed is not None:
                summary.add_offline(relayed)
            if later:
                checks.add(index, entry, record.public)
        failure = checks.first_failure()
    if failure:
        raise EntryError(*failure)
    return summary


def _resolve(history: KeyHistory, index: int, entry: bytes) -> tuple[str, KeyRecord, bool, KeyRecord | None]:
    """In-order pass: key statements are checked and applied now, a passkey entry checked but for its
    signature; says whether the signature is still to be checked (in parallel), and for a relay the passkey
    that signed the statement inside it (checked in full here)."""
    head = _head(entry)
    if head is None or head.type in KEY_STATEMENTS:
        envelope = unseal(entry)  # raises the precise error for a malformed entry too
        return envelope.party, history.check(index, envelope), False, None
    if head.type == RELAY:  # the operator's signature in parallel; the passkey's inside it here (relays are few)
        envelope = unseal(entry)
        signer = history.signer(index, envelope, defer=True)
        return head.party, signer.record, True, check_relayed(history, index, envelope)
    if head.key.startswith(PASSKEY_PREFIX):
        signer = history.signer(index, unseal(entry), defer=True)
        signer.commit()
        return head.party, signer.record, True, None
    record = history.valid_key(head.key, index)
    if record.party != head.party:
        raise EnvelopeError("key.party", f"key {record.key} belongs to {record.party}, not {head.party}")
    return head.party, record, True, None


class _Head(msgspec.Struct):
    key: str
    party: str
    type: Any = None


class _Entry(msgspec.Struct):
    statement: _Head


_HEAD = msgspec.json.Decoder(_Entry)


def _head(entry: bytes) -> _Head | None:
    """The statement's key, party and type, decoded into a record without building the rest; None when the
    entry does not have that shape (`unseal` then says precisely what is wrong)."""
    try:
        return _HEAD.decode(entry).statement
    except msgspec.DecodeError:  # includes msgspec.ValidationError
        return None


Failure = tuple[int, str, str]  # index, code, message: plain values, so they cross process boundaries


class SignatureChecks:
    """The signatures still to check, sent to one worker per core a chunk at a time while the in-order pass
    goes on (the pass and the checks overlap); a log too small to pay for starting workers is checked here,
    at the end."""

    def __init__(self, total: int, workers: int | None = None) -> None:
        parallel = total >= PARALLEL_FROM and (workers or os.cpu_count() or 1) > 1
        self.pool = ProcessPoolExecutor(max_workers=workers) if parallel else None
        self.pending: list[tuple[int, bytes, bytes]] = []
        self.futures: list[Future] = []

    def __enter__(self) -> SignatureChecks:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def add(self, index: int, entry: bytes, public: bytes) -> None:
        self.pending.append((index, entry, public))
        if self.pool is not None and len(self.pending) == CHUNK:
            self.futures.append(self.pool.submit(_check_chunk, self.pending))
            self.pending = []

    def first_failure(self) -> Failure | None:
        """Waits for every check sent so far and makes the rest; the failure with the lowest index."""
        failures = [future.result() for future in self.futures] + [_check_chunk(self.pending)]
        self.futures, self.pending = [], []
        failures = [f for f in failures if f]
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
