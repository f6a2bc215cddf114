"""Checking every entry of a log: canonical, signed statements made with keys valid at their index.

The key history is sequential (a registration changes what later entries may use), but checking
signatures is not: one pass in order resolves each entry's key and applies the key statements; the
signatures of all other entries are then checked in parallel, one worker per core. The first failing
entry (lowest index) is reported, as a sequential check would.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import msgspec

from .envelope import EnvelopeError, unseal
from .keys import KEY_STATEMENTS, KeyHistory

PARALLEL_FROM = 20_000  # below this many entries, worker start-up costs more than it saves
CHUNK = 5_000


class EntryError(Exception):
    def __init__(self, index: int, code: str, message: str) -> None:
        super().__init__(f"entry {index}: {code}: {message}")
        self.index, self.code, self.message = index, code, message


def audit_entries(entries: list[bytes], registrars: list[tuple[str, bytes]], workers: int | None = None) -> None:
    """Raise EntryError for the first entry that is malformed, non-canonical or wrongly signed."""
    history, pending = KeyHistory(registrars), []
    for index, entry in enumerate(entries):
        try:
            public = _resolve(history, index, entry)
        except EnvelopeError as error:
            failure = _first_failure(pending, workers)
            raise EntryError(*(failure or (index, error.code, error.message))) from None
        if public is not None:
            pending.append((index, entry, public))
    failure = _first_failure(pending, workers)
    if failure:
        raise EntryError(*failure)


def _resolve(history: KeyHistory, index: int, entry: bytes) -> bytes | None:
    """In-order pass: key statements are checked and applied now; others get the public key to check later."""
    head = _head(entry)
    if head is None or head.get("type") in KEY_STATEMENTS:
        history.check(index, unseal(entry))  # raises the precise error for a malformed entry too
        return None
    record = history.valid_key(head["key"], index)
    if record.party != head["party"]:
        raise EnvelopeError("key.party", f"key {record.key} belongs to {record.party}, not {head['party']}")
    return record.public


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
            unseal(entry).verify(public)
        except EnvelopeError as error:
            return index, error.code, error.message
    return None
