"""The service's own keys, kept in the data directory: the log key (signs checkpoints) and the operator's
statement key (the registrar: registers parties, routes and keys). And custody of parties' private keys:
encrypted at rest with the key-encryption key from configuration (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ...ledger.crypto import public_bytes
from ...ledger.note import Signer, parse_signer
from ..config import CONFIG, _generated
from .trust import LOG_KEY, OPERATOR, OPERATOR_KEY, WEBAUTHN_ORIGINS, trust_text_of

__all__ = ["OPERATOR", "log_signer", "open_private", "operator_key", "operator_public", "seal_private", "trust_text"]


@functools.cache
def log_signer() -> Signer:
    return parse_signer(_generated(CONFIG.data_dir / LOG_KEY, lambda: Signer.generate(CONFIG.log_origin).encode()))


@functools.cache
def operator_key() -> Ed25519PrivateKey:
    seed = _generated(CONFIG.data_dir / OPERATOR_KEY, lambda: _b64(Ed25519PrivateKey.generate().private_bytes_raw()))
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed))


def operator_public() -> bytes:
    return public_bytes(operator_key())


_trust_read: tuple[tuple, str] | None = None  # (the files' stat, the text read from them), as last read


def trust_text() -> str:
    """What a verifier needs: the log's key and the registrar's (see `corridor verify --trust`). Read again
    only when one of its files changed (a verifier's every fetch read four files and derived two public keys:
    ~0.7 ms, most of what /log/trust.txt cost)."""
    global _trust_read
    if _trust_read is not None and _trust_read[0] == _trust_files_stat():
        return _trust_read[1]
    from ..permits.keys import permit_key
    from .origins import policy

    log_signer(), operator_key(), policy(), permit_key()  # generated (and the passkeys' origin declared) on first use
    files = _trust_files_stat()
    text = trust_text_of(CONFIG.data_dir)
    _trust_read = (files, text)  # as they were before reading: a change made meanwhile is read on the next call
    return text


def _trust_files_stat() -> tuple:
    """Each file the trust text is read from: its size, modification time and inode, or None while it is absent;
    and the passkeys' configured origin (declared in the file when new)."""
    from ..permits.keys import PERMIT_KEY

    stats = []
    for name in (LOG_KEY, OPERATOR_KEY, WEBAUTHN_ORIGINS, PERMIT_KEY):
        try:
            found = (CONFIG.data_dir / name).stat()
        except FileNotFoundError:
            stats.append(None)
        else:
            stats.append((found.st_size, found.st_mtime_ns, found.st_ino))
    return (str(CONFIG.data_dir), CONFIG.webauthn_rp_id, CONFIG.webauthn_origin, *stats)


def seal_private(private: Ed25519PrivateKey) -> bytes:
    return Fernet(CONFIG.key_encryption_key).encrypt(private.private_bytes_raw())


def open_private(sealed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(Fernet(CONFIG.key_encryption_key).decrypt(bytes(sealed)))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
