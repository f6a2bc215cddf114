"""Fold snapshots: a `LogFold` as it stood after the log's first N entries, in a file, so that a process
starts by loading it and applying only the entries after N instead of replaying the whole log.

A snapshot is trusted only as far as it is checked. Its file is

    MAGIC | body | header (msgpack) | HMAC-SHA256(secret, MAGIC + header) | header length (4 bytes, big-endian)

- the header names the log size N, the log's Merkle root at N, a fingerprint of the code that folds (the
  engine, the fold, the key history and the envelope rules: a snapshot made by other code is not used,
  since its rules could have folded the same entries differently), and the body's length and SHA-256. It
  comes last because the body is written as it is produced: a large fold is never held twice in memory;
- the HMAC, keyed with a secret only the service holds, says this service wrote it (a file from another
  deployment, or edited, is refused);
- the caller says what the log's own signed root at N is: a snapshot of another log, or of a log since
  restored from an older backup, is refused;
- the body is the fold without its plans (`Rest`: msgspec's msgpack of the engine's State structs and the
  key records, decoded strictly against the same types), then the plans, laid out to be read where they lie
  (snapshot_plans.py): a process maps the file and decodes a plan only when it first reads it. Most plans
  of a large log are closed and never read again by a given process; decoding them, or even indexing them,
  at load grew a cold start and every process's memory with the log. The body's digest is still checked
  in full at load (SHA-256 runs at ~1.5 GB/s; a plan read later is then one its writer wrote).

Any failure raises SnapshotRefused (a stable code and a message); the caller then tries an older snapshot
or replays the whole log. Pure: no Django, no files (the service's glue is service/ledger/snapshots.py).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import mmap
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import msgspec

from .engine import State
from .fold import LogFold
from .ledger.envelope import key_id
from .ledger.keys import KeyRecord
from .ledger.passkeys import WebAuthnPolicy
from .snapshot_plans import MappedPlans, write_section

MAGIC = b"corridor fold snapshot v2\n"
_LENGTH = 4
_MAC = 32
# the modules whose code decides what a fold of the same entries is (paths relative to the package)
FOLDING_CODE = ("engine", "fold.py", "ledger/keys.py", "ledger/envelope.py", "ledger/passkeys.py", "ledger/relay.py",
                "snapshot.py", "snapshot_plans.py")


class SnapshotRefused(Exception):
    """A snapshot that must not be used: `code` is stable (snapshot.*), `message` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


class Header(msgspec.Struct, forbid_unknown_fields=True):
    size: int
    root: bytes
    code: str
    byteorder: str  # the plans' index is in this machine's integers (snapshot_plans.py)
    body_length: int
    body_sha256: bytes
    rest_length: int  # the body starts with the Rest, then the plans section
    plans: int


class Rest(msgspec.Struct, forbid_unknown_fields=True):
    """The fold but its plans (`state.plans` is empty here; the plans follow in their own section)."""

    operator: str
    size: int
    state: State
    keys: list[KeyRecord]


_header_decoder = msgspec.msgpack.Decoder(Header)
_rest_decoder = msgspec.msgpack.Decoder(Rest)
_rest_encoder = msgspec.msgpack.Encoder()


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
    """The fold's body (see the module's docstring): also what tests compare, since two folds of the same
    entries encode alike."""
    out = io.BytesIO()
    _write_body(fold, out)
    return out.getvalue()


def _write_body(fold: LogFold, out: BinaryIO) -> tuple[int, int]:
    """The body to `out`; returns (the rest's length, how many plans)."""
    rest = _rest_encoder.encode(Rest(fold.operator, fold.size, msgspec.structs.replace(fold.state, plans={}),
                                     list(fold.keys.keys.values())))
    out.write(rest)
    return len(rest), write_section(fold.state.plans, out)


def write(fold: LogFold, root: bytes, secret: bytes, out: BinaryIO) -> None:
    """The snapshot of `fold` to `out`, a plan at a time (a large fold is never held twice in memory);
    `fold.size` is the log's size N and `root` the log's root at N."""
    out.write(MAGIC)
    body = _Digesting(out)
    rest_length, plans = _write_body(fold, body)
    header = msgspec.msgpack.encode(Header(fold.size, root, code_fingerprint(), sys.byteorder, body.length,
                                           body.digest.digest(), rest_length, plans))
    out.write(header + _mac(secret, MAGIC + header) + len(header).to_bytes(_LENGTH, "big"))


def encode(fold: LogFold, root: bytes, secret: bytes) -> bytes:
    out = io.BytesIO()
    write(fold, root, secret, out)
    return out.getvalue()


class _Digesting:
    """A writer that passes bytes on while counting them and taking their SHA-256."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.digest, self.length = out, hashlib.sha256(), 0

    def write(self, data) -> int:
        self.digest.update(data)
        written = self.out.write(data)
        self.length += written
        return written


def read_header(data: bytes | memoryview | mmap.mmap, secret: bytes) -> tuple[Header, memoryview]:
    """The authenticated header and the body (a view of `data`); checks the HMAC and the code, not the body."""
    view = memoryview(data)
    if bytes(view[:len(MAGIC)]) != MAGIC:
        raise SnapshotRefused("snapshot.format", "not a fold snapshot of this format")
    if len(view) < len(MAGIC) + _MAC + _LENGTH:
        raise SnapshotRefused("snapshot.truncated", "the snapshot ends before its header")
    length = int.from_bytes(view[-_LENGTH:], "big")
    header_start = len(view) - _LENGTH - _MAC - length
    if header_start < len(MAGIC):
        raise SnapshotRefused("snapshot.truncated", "the snapshot is shorter than its header says")
    header = bytes(view[header_start:header_start + length])
    if not hmac.compare_digest(bytes(view[header_start + length:-_LENGTH]), _mac(secret, MAGIC + header)):
        raise SnapshotRefused("snapshot.unauthenticated", "the snapshot's header is not authenticated by this "
                              "service's key (another deployment's, or altered)")
    try:
        decoded = _header_decoder.decode(header)
    except msgspec.DecodeError as error:
        raise SnapshotRefused("snapshot.format", f"unreadable header: {error}") from None
    if decoded.code != code_fingerprint():
        raise SnapshotRefused("snapshot.code", "the snapshot was made by other folding code (an upgrade): its "
                              "rules may have folded the log differently")
    if decoded.byteorder != sys.byteorder:
        raise SnapshotRefused("snapshot.format", f"the snapshot's index is {decoded.byteorder}-endian; this machine "
                              f"is {sys.byteorder}-endian")
    return decoded, view[len(MAGIC):header_start]


def decode(data: bytes | memoryview | mmap.mmap, secret: bytes, log_root: Callable[[int], bytes | None], *,
           registrar_public: bytes, webauthn: WebAuthnPolicy | None = None) -> LogFold:
    """The fold a snapshot holds, once every check passed: authenticated header, same folding code, the
    log's own root at the snapshot's size (`log_root(N)`; None: the log has no signed tree of that size),
    the body's length and digest, a strict decode, and the registrar the caller trusts. The plans stay
    where they are in `data` (MappedPlans), so `data` (a map of the file) must outlive the fold."""
    header, body = read_header(data, secret)
    expected = log_root(header.size)
    if expected is None or not hmac.compare_digest(expected, header.root):
        raise SnapshotRefused("snapshot.root", f"the log's signed tree at size {header.size} is not the one the "
                              "snapshot was made from" if expected else f"the log has no signed tree of size "
                              f"{header.size}")
    if len(body) != header.body_length or not hmac.compare_digest(hashlib.sha256(body).digest(),
                                                                   header.body_sha256):
        raise SnapshotRefused("snapshot.digest", "the snapshot's body does not match its digest")
    try:
        rest = _rest_decoder.decode(body[:header.rest_length])
        plans = MappedPlans(body[header.rest_length:], header.plans)
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError) as error:
        raise SnapshotRefused("snapshot.format", f"unreadable body: {error}") from None
    return _restore(rest, plans, header.size, registrar_public, webauthn)


def _restore(rest: Rest, plans: MappedPlans, size: int, registrar_public: bytes,
             webauthn: WebAuthnPolicy | None) -> LogFold:
    registrar = next((record for record in rest.keys if record.registrar), None)
    if rest.size != size or registrar is None or registrar.key != key_id(registrar_public):
        raise SnapshotRefused("snapshot.registrar", "the snapshot's size or registrar is not the log's")
    fold = LogFold(rest.operator, registrar_public, webauthn=webauthn)
    fold.state = rest.state
    fold.state.plans = plans
    fold.size = rest.size
    fold.keys.keys = {record.key: record for record in rest.keys}
    return fold


def _mac(secret: bytes, signed: bytes) -> bytes:
    return hmac.new(secret, signed, hashlib.sha256).digest()
