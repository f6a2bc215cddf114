"""Signing a permit: COSE_Sign1 by the issuer's Ed25519 permit key, then QR text."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..ledger.crypto import public_bytes
from . import cose, document, qr
from .trust import key_id


def sign_permit(permit: document.Permit, key: Ed25519PrivateKey) -> bytes:
    """The signed permit (tagged COSE_Sign1 bytes); its `document.digest` is what the log records."""
    return cose.sign1(document.encode(permit), key, key_id(public_bytes(key)))


def permit_text(signed: bytes) -> str:
    """The text a QR code of the permit holds ("CP1:..."), also what an officer may type or paste."""
    return qr.to_text(signed)
