"""The trust file of a service's log, read from its data directory: the log's verifier key, the
registrar's public key and the origins where members' passkeys sign (what `corridor verify --trust`
needs). Imports no configuration, so `corridor trust DATA_DIR` reads any data directory without creating
anything in it or in the current one.

The service appends each WebAuthn origin it serves, with its RP id, to DATA_DIR/webauthn-origins ("RP_ID
ORIGIN" per line) the first time it is configured with that pair: passkey signatures made there stay valid
after the origin or the RP id changes (an origin with two lines accepts both RP ids)."""

from __future__ import annotations

import base64
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ...ledger.crypto import public_bytes
from ...ledger.note import parse_signer
from ...ledger.passkeys import WebAuthnPolicy

OPERATOR = "operator"
LOG_KEY, OPERATOR_KEY, WEBAUTHN_ORIGINS = "log.key", "operator.key", "webauthn-origins"


class NoLogHere(FileNotFoundError):
    pass


def trust_text_of(data_dir: Path) -> str:
    missing = [name for name in (LOG_KEY, OPERATOR_KEY) if not (data_dir / name).is_file()]
    if missing:
        raise NoLogHere(f"{data_dir} holds no {' or '.join(missing)}: not a Corridor data directory with a log, or "
                        "one whose log has not published yet (the log's key is made when the worker first publishes "
                        "a checkpoint: start the service, or run `corridor worker --once` on this directory)")
    verifier = parse_signer((data_dir / LOG_KEY).read_text().strip()).verifier.encode()
    seed = base64.b64decode((data_dir / OPERATOR_KEY).read_text().strip())
    registrar = base64.b64encode(public_bytes(Ed25519PrivateKey.from_private_bytes(seed))).decode()
    webauthn = "".join(line + "\n" for line in webauthn_policy_of(data_dir).lines())
    return f"log {verifier}\nregistrar {OPERATOR} {registrar}\n{webauthn}{_permit_line(data_dir)}"


def _permit_line(data_dir: Path) -> str:
    """The service's permit key (service/permits/keys.py), once it has one: officers verify permits with it."""
    if not (data_dir / "permit.key").is_file():
        return ""
    seed = base64.b64decode((data_dir / "permit.key").read_text().strip())
    public = base64.b64encode(public_bytes(Ed25519PrivateKey.from_private_bytes(seed))).decode()
    return f"permit {public} {OPERATOR}\n"


def webauthn_policy_of(data_dir: Path) -> WebAuthnPolicy:
    """The origins (and RP ids) declared in DATA_DIR/webauthn-origins; none if the file is absent.
    Blank lines and lines starting with # are skipped."""
    path = data_dir / WEBAUTHN_ORIGINS
    lines = path.read_text().splitlines() if path.is_file() else []
    pairs = [tuple(line.split()) for line in lines if line.strip() and not line.startswith("#")]
    if any(len(pair) != 2 for pair in pairs):
        raise ValueError(f"{path}: each line is `RP_ID ORIGIN`")
    return WebAuthnPolicy.of(pairs)
