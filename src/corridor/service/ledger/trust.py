"""The trust file of a service's log, read from its data directory: the log's verifier key and the
registrar's public key (what `corridor verify --trust` needs). Imports no configuration, so `corridor
trust DATA_DIR` reads any data directory without creating anything in it or in the current one."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ...ledger.crypto import public_bytes
from ...ledger.note import parse_signer

OPERATOR = "operator"
LOG_KEY, OPERATOR_KEY = "log.key", "operator.key"


class NoLogHere(FileNotFoundError):
    pass


def trust_text_of(data_dir: Path) -> str:
    missing = [name for name in (LOG_KEY, OPERATOR_KEY) if not (data_dir / name).is_file()]
    if missing:
        raise NoLogHere(f"{data_dir} holds no {' or '.join(missing)}: not a Corridor data directory with a log")
    verifier = parse_signer((data_dir / LOG_KEY).read_text().strip()).verifier.encode()
    seed = base64.b64decode((data_dir / OPERATOR_KEY).read_text().strip())
    registrar = base64.b64encode(public_bytes(Ed25519PrivateKey.from_private_bytes(seed))).decode()
    return f"log {verifier}\nregistrar {OPERATOR} {registrar}\n"
