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
  against the same types, except that each plan stays in its bytes until first used (`LazyPlans`): most
  plans of a large log are closed and never read again by a given process, and decoding them all was most
  of a load's cost (and memory).

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
FOLDING_CODE = ("engine", "fold.py", "ledger/keys.py", "ledger/envelope.py", "ledger/passkeys.py", "ledger/relay.py",
                "snapshot.py")


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


class _Undecoded:
    """A plan still in the snapshot's bytes. Code that meets one without going through LazyPlans (e.g. a
    JSON encoder walking the dict's storage) fails loudly rather than writing or reading the wrong thing."""

    __slots__ = ("raw",)

    def __init__(self, raw: msgspec.Raw) -> None:
        self.raw = raw


class LazyPlans(dict):
    """`State.plans` restored from a snapshot: each plan decoded (strictly, as a PlanState) on first access.
    Every way of reading values goes through `__getitem__` or decodes everything first; overriding
    `__iter__` also makes `dict(plans)` and `{**plans}` read through `__getitem__`."""

    __slots__ = ()

    def __getitem__(self, key: str):
        value = dict.__getitem__(self, key)
        if type(value) is _Undecoded:
            value = _plan_decoder.decode(value.raw)
            dict.__setitem__(self, key, value)
        return value

    def get(self, key, default=None):
        return self[key] if key in self else default  # noqa: SIM401 (this is get)

    def __iter__(self):
        return dict.__iter__(self)

    def setdefault(self, key, default=None):
        return self[key] if key in self else dict.setdefault(self, key, default)

    def pop(self, key, *default):
        if key in self:
            self[key]
        return dict.pop(self, key, *default)

    def decode_all(self) -> LazyPlans:
        for key in self:
            self[key]
        return self

    def values(self):
        return dict.values(self.decode_all())

    def items(self):
        return dict.items(self.decode_all())

    def popitem(self):
        return dict.popitem(self.decode_all())

    def copy(self) -> dict:
        return dict(self.decode_all())

    def __eq__(self, other: object) -> bool:
        return dict.__eq__(self.decode_all(), other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return dict.__repr__(self.decode_all())

    def __reduce__(self):
        return dict, (dict(self.decode_all()),)

    def __or__(self, other):
        return dict(self.decode_all()) | other

    def __ror__(self, other):
        return other | dict(self.decode_all())


def _shallow(struct: type, lazy: str) -> type:
    """`struct` with its field `lazy` (a dict of structs) decoded as raw bytes per value."""
    fields = [(f.name, dict[str, msgspec.Raw] if f.name == lazy else f.type,
               msgspec.field(default_factory=f.default_factory) if f.default_factory is not msgspec.NODEFAULT
               else f.default) for f in msgspec.structs.fields(struct)]
    return msgspec.defstruct(f"Shallow{struct.__name__}", fields, kw_only=True, forbid_unknown_fields=True)


def _raw_of(value: object) -> msgspec.Raw:
    if type(value) is _Undecoded:
        return value.raw  # a plan never decoded is written back as the very bytes it was read from
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


def _plan_type() -> type | None:
    """PlanState, if State.plans is a dict of structs by id (else plans are decoded with the rest)."""
    plans = next((f.type for f in msgspec.structs.fields(State) if f.name == "plans"), None)
    args = getattr(plans, "__args__", ())
    if getattr(plans, "__origin__", None) is dict and len(args) == 2 and args[0] is str and \
            isinstance(args[1], type) and issubclass(args[1], msgspec.Struct):
        return args[1]
    return None


_plan_decoder = msgspec.msgpack.Decoder(_plan_type()) if _plan_type() else None
_body_encoder = msgspec.msgpack.Encoder(enc_hook=_raw_of)
_body_decoder = msgspec.msgpack.Decoder(
    msgspec.defstruct("ShallowBody", [("operator", str), ("size", int), ("state", _shallow(State, "plans")),
                                      ("keys", list[KeyRecord])], forbid_unknown_fields=True)
    if _plan_decoder else Body)
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


def _restore(content, size: int, registrar_public: bytes, webauthn: WebAuthnPolicy | None) -> LogFold:
    registrar = next((record for record in content.keys if record.registrar), None)
    if content.size != size or registrar is None or registrar.key != key_id(registrar_public):
        raise SnapshotRefused("snapshot.registrar", "the snapshot's size or registrar is not the log's")
    fold = LogFold(content.operator, registrar_public, webauthn=webauthn)
    shallow = content.state
    if _plan_decoder is None:
        fold.state = shallow
    else:
        fields = {name: getattr(shallow, name) for name in shallow.__struct_fields__}
        fields["plans"] = LazyPlans({plan: _Undecoded(raw) for plan, raw in shallow.plans.items()})
        fold.state = State(**fields)
    fold.size = content.size
    fold.keys.keys = {record.key: record for record in content.keys}
    return fold


def _mac(secret: bytes, signed: bytes) -> bytes:
    return hmac.new(secret, signed, hashlib.sha256).digest()
