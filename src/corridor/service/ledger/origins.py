"""The origins where this log's passkeys sign, kept in DATA_DIR/webauthn-origins ("RP_ID ORIGIN" per line).

A passkey's signature names the origin the officer's browser was on, and verifiers accept only the
origins the trust file declares. The configured origin (CORRIDOR_WEBAUTHN_ORIGIN) is added here the first
time it is used and never removed, so statements signed before a move to a new address still verify;
`corridor trust` writes these lines into the trust file (trust.py reads them)."""

from __future__ import annotations

from ...ledger.passkeys import WebAuthnPolicy
from ..config import CONFIG
from .trust import WEBAUTHN_ORIGINS, webauthn_policy_of


def policy() -> WebAuthnPolicy:
    """Every origin this log has signed at, the configured one included (declared now if it is new)."""
    declared = webauthn_policy_of(CONFIG.data_dir)
    if declared.rp_id(CONFIG.webauthn_origin) != CONFIG.webauthn_rp_id:
        with (CONFIG.data_dir / WEBAUTHN_ORIGINS).open("a") as handle:
            handle.write(f"{CONFIG.webauthn_rp_id} {CONFIG.webauthn_origin}\n")
        declared = webauthn_policy_of(CONFIG.data_dir)
    return declared
