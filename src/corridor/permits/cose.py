"""COSE_Sign1 (RFC 9052 §4.2), made and checked with cbor2 and cryptography.

pycose and python-cwt need cbor2 < 6, which the passkey library (webauthn) does not allow, so the structure
is put together here from cbor2's encoder: a 4-array [protected bstr, unprotected map, payload, signature],
tag 18 or untagged, signed over the CBOR "Signature1" structure. Checked against the COSE working group's
examples and the EU DCC vectors (tests/permits/test_cose.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

COSE_SIGN1_TAG = 18
CWT_TAG = 61  # RFC 8392: a CWT may wrap its COSE message in this tag too (the DCC vectors do)
ALG, CONTENT_TYPE, KID = 1, 3, 4  # header labels (RFC 9052 §3.1)
EDDSA, ES256, PS256 = -8, -7, -37  # algorithms (RFC 9053; PS256: RFC 8230)

PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey


class CoseError(ValueError):
    """Not a COSE_Sign1 this module can read, or a signature that does not verify."""


@dataclass(frozen=True)
class Sign1:
    protected: Mapping[Any, Any]
    unprotected: Mapping[Any, Any]
    payload: bytes
    signature: bytes
    protected_bytes: bytes

    @property
    def alg(self) -> Any:
        """The algorithm, from the protected header when it is there (where it is covered by the signature)."""
        return self.protected.get(ALG, self.unprotected.get(ALG))

    @property
    def signed_protected(self) -> bytes:
        """The protected header as signed: an empty map is signed as the zero-length bstr RFC 9052 §3 asks
        for, however it was sent (the COSE examples' "sign-pass-01" sends it as h'a0')."""
        return self.protected_bytes if self.protected else b""

    @property
    def kid(self) -> bytes | None:
        return self.protected.get(KID, self.unprotected.get(KID))


def sign1(payload: bytes, key: Ed25519PrivateKey, kid: bytes, content_type: str | None = None) -> bytes:
    """A tagged COSE_Sign1 by an Ed25519 key, algorithm and key id both in the protected header."""
    protected = {ALG: EDDSA, KID: kid} | ({CONTENT_TYPE: content_type} if content_type else {})
    protected_bytes = cbor2.dumps(protected, canonical=True)
    signature = key.sign(to_be_signed(protected_bytes, payload))
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected_bytes, {}, payload, signature]))


def decode_sign1(data: bytes) -> Sign1:
    """Parse a COSE_Sign1, tagged (18) or untagged; any other tag or shape raises CoseError."""
    try:
        item = cbor2.loads(data)
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError) as error:
        raise CoseError(f"not CBOR: {error}") from None
    if isinstance(item, cbor2.CBORTag) and item.tag == CWT_TAG:
        item = item.value
    if isinstance(item, cbor2.CBORTag):
        if item.tag != COSE_SIGN1_TAG:
            raise CoseError(f"CBOR tag {item.tag} is not COSE_Sign1 ({COSE_SIGN1_TAG})")
        item = item.value
    if not (isinstance(item, list | tuple) and len(item) == 4):  # cbor2 6 reads arrays as tuples
        raise CoseError("a COSE_Sign1 is an array of four items")
    protected_bytes, unprotected, payload, signature = item
    if not (isinstance(protected_bytes, bytes) and isinstance(unprotected, Mapping)
            and isinstance(payload, bytes) and isinstance(signature, bytes)):
        raise CoseError("a COSE_Sign1 holds a protected bstr, a header map, a payload bstr and a signature bstr")
    try:
        protected = cbor2.loads(protected_bytes) if protected_bytes else {}
    except (cbor2.CBORDecodeError, ValueError) as error:
        raise CoseError(f"the protected header is not CBOR: {error}") from None
    if not isinstance(protected, Mapping):
        raise CoseError("the protected header is not a map")
    return Sign1(protected, unprotected, payload, signature, protected_bytes)


def to_be_signed(protected_bytes: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    """The Sig_structure for COSE_Sign1 (RFC 9052 §4.4)."""
    return cbor2.dumps(["Signature1", protected_bytes, external_aad, payload])


def verify_sign1(message: Sign1, key: PublicKey, external_aad: bytes = b"") -> None:
    """Raise CoseError unless `message`'s signature by `key` verifies under its declared algorithm."""
    data = to_be_signed(message.signed_protected, message.payload, external_aad)
    alg, signature = message.alg, message.signature
    try:
        if alg == EDDSA and isinstance(key, Ed25519PublicKey):
            key.verify(signature, data)
        elif alg == ES256 and isinstance(key, ec.EllipticCurvePublicKey) and len(signature) == 64:
            der = encode_dss_signature(int.from_bytes(signature[:32]), int.from_bytes(signature[32:]))
            key.verify(der, data, ec.ECDSA(hashes.SHA256()))
        elif alg == PS256 and isinstance(key, rsa.RSAPublicKey):
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
            key.verify(signature, data, pss, hashes.SHA256())
        else:
            raise CoseError(f"algorithm {alg!r} is not supported for a {type(key).__name__}")
    except InvalidSignature:
        raise CoseError("the signature does not verify") from None
