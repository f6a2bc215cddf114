"""Write a scenario run to a real signed log: every statement sealed by its party's key and appended.

For demonstrations and tests: the keys are generated on the spot (the operator registers the scenario's
parties and routes and one key per party on the log first), so the result can be checked with `corridor
verify DIR/tiles --trust DIR/trust.txt` and its figures recomputed with `corridor audit`.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..ledger.crypto import public_bytes
from ..ledger.envelope import seal
from ..ledger.note import Signer
from ..ledger.store import LogStore
from ..ledger.tiles import make_public_dirs, write_atomically
from .runner import Run

OPERATOR = "operator"


class DirectoryNotEmpty(ValueError):
    """A run writes a new log with new keys: into a directory holding anything, it would append a second
    log to the first and replace its trust file."""


def check_empty(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise DirectoryNotEmpty(f"{directory} is not an empty directory; give a new or empty one for the log")


@dataclass(frozen=True)
class SealedRun:
    """A run's statements sealed by freshly generated keys: the log's entries in order, the operator's key
    (the registrar) and the log's signer."""

    origin: str
    entries: list[bytes]
    operator: Ed25519PrivateKey
    signer: Signer

    @property
    def registrar_public(self) -> bytes:
        return public_bytes(self.operator)


def seal_run(run: Run) -> SealedRun:
    """The operator registers the parties and routes (as the service does, so that the log alone folds to
    the run's state) and every party's key; then every statement sealed by its party's key."""
    origin = "demo.corridor.example/" + (re.sub(r"[^a-z0-9-]+", "-", run.scenario.name.lower()).strip("-") or "log")
    signer, operator = Signer.generate(origin), Ed25519PrivateKey.generate()
    keys = {party.id: Ed25519PrivateKey.generate() for party in run.scenario.parties}
    first_time = run.timeline[0].at if run.timeline else "1970-01-01T00:00:00Z"
    entries = _registry(run, operator, first_time)
    entries += [_registration(len(entries) + n, party, key, operator, first_time)
                for n, (party, key) in enumerate(keys.items(), 1)]
    entries += [seal(entry.statement, keys[entry.party]) for entry in run.timeline]
    return SealedRun(origin, entries, operator, signer)


def publish_run(run: Run, directory: Path) -> Path:
    """Seal and log every statement of the run into a new or empty directory; returns the trust file."""
    check_empty(directory)
    make_public_dirs(directory)
    sealed = seal_run(run)
    store = LogStore(directory / "log.db", directory / "tiles", sealed.origin, sealed.signer)
    store.append(sealed.entries)
    while store.integrate(1024) < store.sequenced_size():
        pass
    store.publish()
    store.close()
    trust = directory / "trust.txt"
    write_atomically(trust, f"log {sealed.signer.verifier.encode()}\nregistrar {OPERATOR} "
                     f"{_b64(sealed.registrar_public)}\n".encode())
    return trust


def _registry(run: Run, operator: Ed25519PrivateKey, at: str) -> list[bytes]:
    """The operator's party.register and route.define statements: the registry the run started from."""
    records = [("party.register", p) for p in run.scenario.parties] + [("route.define", r) for r in run.scenario.routes]
    return [seal({"type": kind, "party": OPERATOR, "seq": n, "time": at, "payload": msgspec.to_builtins(record)},
                 operator) for n, (kind, record) in enumerate(records, 1)]


def _registration(seq: int, party: str, key: Ed25519PrivateKey, operator: Ed25519PrivateKey, at: str) -> bytes:
    statement = {"type": "key.register", "party": OPERATOR, "seq": seq, "time": at,
                 "payload": {"party": party, "public": _b64(public_bytes(key))}}
    return seal(statement, operator)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
