"""The origins where this log's passkeys sign, kept in DATA_DIR/webauthn-origins ("RP_ID ORIGIN" per line).

A passkey's signature names the origin the officer's browser was on, and verifiers accept only the
origins the trust file declares, each with the RP ids declared for it. The configured pair
(CORRIDOR_WEBAUTHN_RP_ID, CORRIDOR_WEBAUTHN_ORIGIN) is added here the first time it is used and never
removed, so statements signed before a move to a new address or RP id still verify;
`corridor trust` writes these lines into the trust file (trust.py reads them)."""

from __future__ import annotations

from ...ledger.passkeys import WebAuthnPolicy
from ..config import CONFIG
from .trust import WEBAUTHN_ORIGINS, webauthn_policy_of


def policy() -> WebAuthnPolicy:
    """Every origin (and RP id) this log has signed at, the configured ones included (declared now if new)."""
    declared = webauthn_policy_of(CONFIG.data_dir)
    if not declared.declares(CONFIG.webauthn_rp_id, CONFIG.webauthn_origin):
        with (CONFIG.data_dir / WEBAUTHN_ORIGINS).open("a") as handle:
            handle.write(f"{CONFIG.webauthn_rp_id} {CONFIG.webauthn_origin}\n")
        declared = webauthn_policy_of(CONFIG.data_dir)
    return declared
