"""Salted commitments: how the public log carries a value it must not show yet (or ever).

commitment = SHA-256(salt || RFC 8785 canonical JSON of the value), in lowercase hex; the salt is 16 random
bytes, in hex. The log carries the commitment; whoever holds the value and the salt can later reveal both,
and anyone can check them against the log with `verify_reveal`. The salt keeps a guessable value (a
movement window, a plate) from being found by trying candidates.

Values, one shape per kind (crew keeps the shape commitments on the log already use):
- a movement window: {"start": "2023-09-18T07:00:00Z", "end": "2023-09-18T17:00:00Z"}
- a vehicle plate:   {"plate": "AB 123"}
- a crew member:     {"name": "...", "document": "..."} (never revealed on the log)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from .envelope import canonical_json

SALT_BYTES = 16
_HEX = re.compile(r"^(?:[0-9a-f]{2})+$")


def commitment_of(value: dict, salt: str) -> str:
    """The commitment to `value` under `salt` (hex)."""
    if not isinstance(salt, str) or not _HEX.match(salt):
        raise ValueError("a salt is lowercase hex")
    return hashlib.sha256(bytes.fromhex(salt) + canonical_json(value)).hexdigest()


def commit(value: dict, salt: str | None = None) -> tuple[str, str]:
    """A fresh salt (unless given) and the commitment to `value`: (salt_hex, commitment_hex)."""
    salt = salt or secrets.token_hex(SALT_BYTES)
    return salt, commitment_of(value, salt)


def verify_reveal(value: dict, salt: str, commitment: str) -> bool:
    """Whether `value` and `salt` open `commitment`."""
    try:
        computed = commitment_of(value, salt)
    except ValueError:
        return False
    return isinstance(commitment, str) and hmac.compare_digest(computed, commitment)


def window_value(start: str, end: str) -> dict:
    return {"start": start, "end": end}


def plate_value(plate: str) -> dict:
    return {"plate": plate}


def crew_value(name: str, document: str) -> dict:
    return {"name": name, "document": document}
