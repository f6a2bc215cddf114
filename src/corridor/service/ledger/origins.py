"""The origins where this log's passkeys sign, kept in DATA_DIR/webauthn-origins ("RP_ID ORIGIN" per line).

A passkey's signature names the origin the officer's browser was on, and verifiers accept only the
origins the trust file declares, each with the RP ids declared for it. The configured pair
(CORRIDOR_WEBAUTHN_RP_ID, CORRIDOR_WEBAUTHN_ORIGIN) is added here the first time a process serving the pages
uses it, and never removed, so statements signed before a move to a new address or RP id still verify;
`corridor trust` writes these lines into the trust file (trust.py reads them)."""

from __future__ import annotations

from ...ledger.passkeys import WebAuthnPolicy
from ..config import CONFIG
from .trust import WEBAUTHN_ORIGINS, webauthn_policy_of

# Only the service's processes declare the configured origin: those serving the pages (service/wsgi.py turns this
# on), where the officers' browsers sign, and its worker beside them. A one-off CLI command (an import,
# createparty, `worker --once`) runs with whatever origin its shell has (http://localhost:8000 unless told), where
# no browser signed: declared, it stayed in the trust file for good.
declares_configured_origin = False


def policy() -> WebAuthnPolicy:
    """Every origin (and RP id) this log has signed at: those declared, and the configured one in a process that
    serves the pages (declared now if new)."""
    declared = webauthn_policy_of(CONFIG.data_dir)
    if declares_configured_origin and not declared.declares(CONFIG.webauthn_rp_id, CONFIG.webauthn_origin):
        with (CONFIG.data_dir / WEBAUTHN_ORIGINS).open("a") as handle:
            handle.write(f"{CONFIG.webauthn_rp_id} {CONFIG.webauthn_origin}\n")
        declared = webauthn_policy_of(CONFIG.data_dir)
    return declared
