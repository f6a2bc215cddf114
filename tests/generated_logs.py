"""Signed logs of the fold benchmark's realistic statement mix (bench/engine_fold.py), without a service:
the operator registers the parties, their keys and the routes, then each statement is sealed by its party."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import msgspec
from bench.engine_fold import generate, registry
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import seal

OPERATOR = "operator"


def generated_log(plans: int) -> tuple[Ed25519PrivateKey, list[bytes]]:
    """The operator's key and the log's entries for `plans` generated plans."""
    parties, routes = registry()
    operator, keys = Ed25519PrivateKey.generate(), {party.id: Ed25519PrivateKey.generate() for party in parties}
    entries: list[bytes] = []

    def register(kind: str, payload: dict) -> None:
        entries.append(seal({"type": kind, "party": OPERATOR, "seq": len(entries) + 1,
                             "time": "2020-01-01T00:00:00Z", "payload": payload}, operator))

    for party in parties:
        register("party.register", msgspec.to_builtins(party))
        register("key.register", {"party": party.id, "public": base64.b64encode(public_bytes(keys[party.id])).decode()})
    for route in routes:
        register("route.define", msgspec.to_builtins(route))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "statements.jsonl"
        generate(plans, path)
        for line in path.read_bytes().splitlines():
            statement = msgspec.json.decode(line)
            entries.append(seal(statement, keys[statement["party"]]))
    return operator, entries
