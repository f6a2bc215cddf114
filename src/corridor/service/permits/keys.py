"""The service's permit key: an Ed25519 key of its own in the data directory, apart from the operator's
statement key and the log key, so it can be rotated (or kept on a separate device) without touching them.
Its public half is the `permit` line of the trust file (ledger/trust.py)."""

from __future__ import annotations

import base64
import functools
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..config import CONFIG, _generated

PERMIT_KEY = "permit.key"


@functools.cache
def permit_key() -> Ed25519PrivateKey:
    return _read_or_make(CONFIG.data_dir)


def _read_or_make(data_dir: Path) -> Ed25519PrivateKey:
    seed = _generated(data_dir / PERMIT_KEY,
                      lambda: base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode())
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed))


def permit_trust_line(data_dir: Path, party: str) -> str:
    """`permit KEY PARTY` for the trust file, made (with the key) if the data directory has none yet."""
    from ...ledger.crypto import public_bytes
    from ...permits.trust import trust_line

    return trust_line(public_bytes(_read_or_make(data_dir)), party)
