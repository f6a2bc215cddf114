"""Ed25519: the one place signatures are checked and made.

Checked with libsodium (through PyNaCl), about twice as fast as `cryptography` (OpenSSL) building a key
object per call (bench/signatures.py). The two agree on all 151 Wycheproof Ed25519 cases. They differ only
where libsodium is stricter, on inputs no honest signer makes: a public key of small order or not in its
canonical encoding, and an R of small order, which OpenSSL accepts when the equation holds. We take
libsodium's answer there: a small-order key "signs" every message for anyone, so a party holding one could
deny its own statements (docs/log.md, "Ed25519 signatures"; tests/ledger/test_crypto.py pins each case).
Signing stays with `cryptography`, whose key objects the rest of the code keeps, except for the custodial
keys the service signs with under its writer lock (`SodiumSigningKey`).
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.bindings import crypto_sign, crypto_sign_open, crypto_sign_seed_keypair
from nacl.exceptions import CryptoError


def verify_ed25519(public: bytes, message: bytes, signature: bytes) -> bool:
    """RFC 8032 verification, cofactorless, with libsodium's refusal of small-order and non-canonical keys
    and small-order R (see above)."""
    if len(public) != 32 or len(signature) != 64:
        return False
    try:
        crypto_sign_open(signature + message, public)
    except CryptoError:  # BadSignatureError, or a bad length
        return False
    return True


def verify_ed25519_openssl(public: bytes, message: bytes, signature: bytes) -> bool:
    """The same check through `cryptography` (OpenSSL), as before: kept for the benchmark and the tests that
    compare the two bindings."""
    if len(public) != 32 or len(signature) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def public_bytes(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


class SodiumSigningKey:
    """An Ed25519 private key that signs through libsodium: 26 µs a signature here against 42 µs through
    `cryptography` (OpenSSL), and the same bytes (Ed25519 signing is deterministic, RFC 8032). For the keys the
    service signs with while it holds the writer lock, where each microsecond is every writer's."""

    __slots__ = ("_secret",)

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._secret = crypto_sign_seed_keypair(private.private_bytes_raw())[1]

    def sign(self, message: bytes) -> bytes:
        return crypto_sign(message, self._secret)[:64]  # libsodium returns the signature, then the message
