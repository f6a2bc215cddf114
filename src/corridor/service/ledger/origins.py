"""The origins where this log's passkeys sign, kept in DATA_DIR/webauthn-origins ("RP_ID ORIGIN" per line).

A passkey's signature names the origin the officer's browser was on, and verifiers accept only the
origins the trust file declares. The configured origin is added here the first time it is used and never
removed, so statements signed before a move to a new address still verify; `corridor trust` writes these
lines into the trust file."""

from __future__ import annotations

from ...ledger.passkeys import WebAuthnPolicy
from ..config import CONFIG

ORIGINS_FILE = "webauthn-origins"


def declared() -> list[tuple[str, str]]:
    """Every (rp id, origin) this log has signed at, the configured one included (added if new)."""
    path = CONFIG.data_dir / ORIGINS_FILE
    pairs = [tuple(line.split()) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    current = (CONFIG.webauthn_rp_id, CONFIG.webauthn_origin)
    if current not in pairs:
        with path.open("a") as handle:
            handle.write(f"{current[0]} {current[1]}\n")
        pairs.append(current)
    return pairs


def policy() -> WebAuthnPolicy:
    return WebAuthnPolicy.of(declared())
