"""Fold snapshots: a `LogFold` as it stood after the log's first N entries, in a file, so that a process
starts by loading it and applying only the entries after N instead of replaying the whole log.

A snapshot is trusted only as far as it is checked. Its file is

    MAGIC | header length (4 bytes, big-endian) | header (msgpack) | HMAC-SHA256(secret, MAGIC + header) | body

- the header names the log size N, the log's Merkle root at N, a fingerprint of the code that folds (the
  engine, the fold, the key history and the envelope rules: a snapshot made by other code is not used,
  since its rules could have folded the same entries differently), and the body's length and SHA-256;
- the HMAC, keyed with a secret only the service holds, says this service wrote it (a file from another
  deployment, or edited, is refused);
- the caller says what the log's own signed root at N is: a snapshot of another log, or of a log since
  restored from an older backup, is refused;
- the body is msgspec's msgpack of the fold (the engine's State structs, the key records), decoded strictly
  against the same types.

Any failure raises SnapshotRefused (a stable code and a message); the caller then tries an older snapshot
or replays the whole log. Pure: no Django, no files (the service's glue is service/ledger/snapshots.py).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path

import msgspec

from .engine import State
from .fold import LogFold
from .ledger.envelope import key_id
from .ledger.keys import KeyRecord
from .ledger.passkeys import WebAuthnPolicy

MAGIC = b"corridor fold snapshot v1\n"
_LENGTH = 4
_MAC = 32
# the modules whose code decides what a fold of the same entries is (paths relative to the package)
FOLDING_CODE = ("engine", "fold.py", "ledger/keys.py", "ledger/envelope.py", "ledger/passkeys.py", "snapshot.py")


class SnapshotRefused(Exception):
    """A snapshot that must not be used: `code` is stable (snapshot.*), `message` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


class Header(msgspec.Struct, forbid_unknown_fields=True):
    size: int
    root: bytes
    code: str
    body_length: int
    body_sha256: bytes


class Body(msgspec.Struct, forbid_unknown_fields=True):
    operator: str
    size: int
    state: State
    keys: list[KeyRecord]


_body_encoder = msgspec.msgpack.Encoder()
_body_decoder = msgspec.msgpack.Decoder(Body)
_header_decoder = msgspec.msgpack.Decoder(Header)


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 over the source of the folding code (file names and contents, in a fixed order)."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for name in FOLDING_CODE:
        path = package / name
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(source.relative_to(package).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(source.read_bytes()).digest())
    return digest.hexdigest()


def encode_body(fold: LogFold) -> bytes:
    """The fold's state as msgpack: also what tests compare (two folds of the same entries encode alike)."""
    return _body_encoder.encode(Body(fold.operator, fold.size, fold.state, list(fold.keys.keys.values())))


def encode(fold: LogFold, root: bytes, secret: bytes) -> bytes:
    """The snapshot of `fold`, whose size is the log's size N and `root` the log's root at N."""
    body = encode_body(fold)
    header = msgspec.msgpack.encode(Header(fold.size, root, code_fingerprint(), len(body),
                                           hashlib.sha256(body).digest()))
    signed = MAGIC + len(header).to_bytes(_LENGTH, "big") + header
    return signed + _mac(secret, signed) + body


def read_header(data: bytes | memoryview, secret: bytes) -> tuple[Header, int]:
    """The authenticated header and where the body starts; checks the HMAC and the code, not the body."""
    view = memoryview(data)
    if bytes(view[:len(MAGIC)]) != MAGIC:
        raise SnapshotRefused("snapshot.format", "not a fold snapshot of this format")
    start = len(MAGIC) + _LENGTH
    length = int.from_bytes(view[len(MAGIC):start], "big")
    signed_end = start + length
    if len(view) < signed_end + _MAC:
        raise SnapshotRefused("snapshot.truncated", "the snapshot ends inside its header")
    signed = bytes(view[:signed_end])
    if not hmac.compare_digest(bytes(view[signed_end:signed_end + _MAC]), _mac(secret, signed)):
        raise SnapshotRefused("snapshot.unauthenticated", "the snapshot's header is not authenticated by this "
                              "service's key (another deployment's, or altered)")
    try:
        header = _header_decoder.decode(signed[start:])
    except msgspec.DecodeError as error:
        raise SnapshotRefused("snapshot.format", f"unreadable header: {error}") from None
    if header.code != code_fingerprint():
        raise SnapshotRefused("snapshot.code", "the snapshot was made by other folding code (an upgrade): its "
                              "rules may have folded the log differently")
    return header, signed_end + _MAC


def decode(data: bytes | memoryview, secret: bytes, log_root: Callable[[int], bytes | None], *,
           registrar_public: bytes, webauthn: WebAuthnPolicy | None = None) -> LogFold:
    """The fold a snapshot holds, once every check passed: authenticated header, same folding code, the
    log's own root at the snapshot's size (`log_root(N)`; None: the log has no signed tree of that size),
    the body's length and digest, a strict decode, and the registrar the caller trusts."""
    header, body_start = read_header(data, secret)
    expected = log_root(header.size)
    if expected is None or not hmac.compare_digest(expected, header.root):
        raise SnapshotRefused("snapshot.root", f"the log's signed tree at size {header.size} is not the one the "
                              "snapshot was made from" if expected else f"the log has no signed tree of size "
                              f"{header.size}")
    body = memoryview(data)[body_start:]
    if len(body) != header.body_length or not hmac.compare_digest(hashlib.sha256(body).digest(),
                                                                   header.body_sha256):
        raise SnapshotRefused("snapshot.digest", "the snapshot's body does not match its digest")
    try:
        content = _body_decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise SnapshotRefused("snapshot.format", f"unreadable body: {error}") from None
    return _restore(content, header.size, registrar_public, webauthn)


def _restore(content: Body, size: int, registrar_public: bytes, webauthn: WebAuthnPolicy | None) -> LogFold:
    registrar = next((record for record in content.keys if record.registrar), None)
    if content.size != size or registrar is None or registrar.key != key_id(registrar_public):
        raise SnapshotRefused("snapshot.registrar", "the snapshot's size or registrar is not the log's")
    fold = LogFold(content.operator, registrar_public, webauthn=webauthn)
    fold.state, fold.size = content.state, content.size
    fold.keys.keys = {record.key: record for record in content.keys}
    return fold


def _mac(secret: bytes, signed: bytes) -> bytes:
    return hmac.new(secret, signed, hashlib.sha256).digest()
