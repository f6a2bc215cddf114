"""Permit keys in the trust file an officer already carries (ledger/trustfile.py), one line each:

    permit BASE64-ED25519-PUBLIC-KEY [PARTY]

The key id in a permit's protected header is the first 8 bytes of the SHA-256 of the raw public key (as
the EU DCC derives its kid from the certificate), so the trust file needs no separate id. Lines of other
kinds are `parse_trust`'s and are skipped here, and `parse_trust` skips these.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


@dataclass(frozen=True)
class PermitKey:
    public: Ed25519PublicKey
    raw: bytes
    party: str


def key_id(raw_public: bytes) -> bytes:
    return hashlib.sha256(raw_public).digest()[:8]


def trust_line(raw_public: bytes, party: str) -> str:
    return f"permit {base64.b64encode(raw_public).decode()} {party}"


def parse_permit_keys(text: str) -> dict[bytes, PermitKey]:
    """The trusted permit keys by key id; ValueError for a malformed `permit` line."""
    keys: dict[bytes, PermitKey] = {}
    for line in text.splitlines():
        words = line.split()
        if not words or words[0] != "permit":
            continue
        if len(words) not in (2, 3):
            raise ValueError(f"a permit line is `permit BASE64-KEY [PARTY]`, not {line.strip()!r}")
        try:
            raw = base64.b64decode(words[1], validate=True)
            public = Ed25519PublicKey.from_public_bytes(raw)
        except (binascii.Error, ValueError):
            raise ValueError(f"{words[1]!r} is not a base64 Ed25519 public key") from None
        keys[key_id(raw)] = PermitKey(public, raw, words[2] if len(words) == 3 else "")
    if not keys:
        raise ValueError("the trust file names no permit key (a `permit BASE64-KEY PARTY` line)")
    return keys


def read_permit_keys(path: str | Path) -> dict[bytes, PermitKey]:
    return parse_permit_keys(Path(path).read_text())
