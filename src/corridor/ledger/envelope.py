"""Signed statement envelopes: RFC 8785 canonical JSON, signed over a domain-separated message.

A log entry is the canonical JSON of {"signature": ..., "statement": {...}}: the signature travels
inside the entry, so the log alone proves who signed what. The statement names its key in "key".

- Ed25519 ("key": "ed25519:…", see `key_id`): "signature" is the base64 Ed25519 signature of
  b"corridor/statement/v1\\n" + canonical(statement), so it can never be replayed as another kind of
  signed message.
- Passkey ("key": "passkey:…", see `passkey_key_id`): "signature" is the WebAuthn assertion, an object
  {"authenticatorData", "clientDataJSON", "signature"} (each standard base64). The WebAuthn challenge is
  `statement_digest(statement)`: SHA-256 of the same domain-separated message. `passkeys.py` checks it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Any

import msgspec
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .crypto import SodiumSigningKey, public_bytes, verify_ed25519

DOMAIN = b"corridor/statement/v1\n"
PASSKEY_PREFIX = "passkey:"
ASSERTION_FIELDS = frozenset({"authenticatorData", "clientDataJSON", "signature"})
MAX_ENTRY_BYTES = 0xFFFF  # 64 KiB less one byte: an entry bundle prefixes each entry with a 2-byte length
MAX_SAFE_INTEGER = 2**53 - 1


class EnvelopeError(ValueError):
    """An entry that is not a well-formed, canonical, signed statement. `code` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical form. msgspec's sorted compact encoding gives the same bytes for
    floatless JSON whose keys sort alike by code point and by UTF-16 unit — true unless a key holds a
    character at or above U+E000 — and is many times faster; otherwise the `rfc8785` package does it.
    (Integers beyond 2**53 are refused before this, by `check_values`.)
    Tests hold the two equal (tests/ledger/test_envelope.py)."""
    return _canonical(value, _needs_reference(value))


def _canonical(value: Any, reference: bool) -> bytes:
    """`canonical_json`, told whether `value` needs the reference encoder (`_needs_reference`)."""
    return rfc8785.dumps(value) if reference else msgspec.json.encode(value, order="sorted")


def key_id(public: bytes) -> str:
    """A key's id: 'ed25519:' and the first 16 bytes of SHA-256 of the raw public key, in hex."""
    return "ed25519:" + hashlib.sha256(public).hexdigest()[:32]


def passkey_key_id(credential: bytes) -> str:
    """A passkey's id: 'passkey:' and the first 16 bytes of SHA-256 of its WebAuthn credential id, in hex."""
    return PASSKEY_PREFIX + hashlib.sha256(credential).hexdigest()[:32]


def statement_digest(statement: dict[str, Any]) -> bytes:
    """What a passkey signs as its WebAuthn challenge: SHA-256(domain + canonical statement), 32 bytes."""
    return hashlib.sha256(DOMAIN + canonical_json(statement)).digest()


@dataclass(frozen=True)
class Assertion:
    """A WebAuthn assertion (navigator.credentials.get's response), as raw bytes."""

    authenticator_data: bytes
    client_data_json: bytes
    signature: bytes

    def to_json(self) -> dict[str, str]:
        return {"authenticatorData": _std(self.authenticator_data), "clientDataJSON": _std(self.client_data_json),
                "signature": _std(self.signature)}


@dataclass(frozen=True)
class Envelope:
    """`signature` is the Ed25519 signature (empty for a passkey entry); `assertion` the passkey's."""

    statement: dict[str, Any]
    signature: bytes
    entry: bytes
    assertion: Assertion | None = None
    statement_json: bytes = b""  # canonical(statement), cut from the canonical entry; empty: encode it


    @property
    def is_passkey(self) -> bool:
        return self.assertion is not None

    @property
    def key(self) -> str:
        return self.statement["key"]

    @property
    def party(self) -> str:
        return self.statement["party"]

    def signed_message(self) -> bytes:
        return DOMAIN + (self.statement_json or canonical_json(self.statement))

    def verify(self, public: bytes) -> None:
        """Check the Ed25519 signature (a passkey entry is checked by `passkeys.verify_entry`)."""
        if self.is_passkey:
            raise EnvelopeError("entry.malformed", f"{self.key} is a passkey, not an Ed25519 key")
        if key_id(public) != self.key:
            raise EnvelopeError("key.mismatch", f"statement names key {self.key}, not {key_id(public)}")
        if not verify_ed25519(public, self.signed_message(), self.signature):
            raise EnvelopeError("signature.invalid", f"signature by {self.party} with {self.key} does not verify")


def seal(statement: dict[str, Any], private: Ed25519PrivateKey | SodiumSigningKey, key: str | None = None) -> bytes:
    """Sign a statement (setting its "key") and return the log entry bytes. `key`: the key id of `private`,
    when the caller keeps it (deriving it from the private half costs 3 µs a statement); a wrong one makes an
    entry whose signature does not verify under the key it names. A `SodiumSigningKey` comes with its `key`."""
    statement = {**statement, "key": key or key_id(public_bytes(private))}
    check_values(statement)
    # the entry wraps the statement with a base64 string under two ASCII keys: it needs the reference
    # encoder exactly when the statement does, so the statement is walked once, not twice
    reference = _needs_reference(statement)
    signature = private.sign(DOMAIN + _canonical(statement, reference))
    return _entry(statement, _std(signature), reference)


def with_passkey(statement: dict[str, Any], credential: bytes) -> dict[str, Any]:
    """The statement as a passkey will sign it: its "key" names the credential. Its digest is the challenge."""
    statement = {**statement, "key": passkey_key_id(credential)}
    check_values(statement)
    return statement


def seal_passkey(statement: dict[str, Any], assertion: Assertion) -> bytes:
    """The log entry of a statement (from `with_passkey`) and the passkey's assertion over its digest.
    The assertion is not checked here: the key history does it when the entry is applied."""
    if not str(statement.get("key", "")).startswith(PASSKEY_PREFIX):
        raise EnvelopeError("entry.malformed", "a passkey-signed statement names its passkey in 'key'")
    check_values(statement)
    return _entry(statement, assertion.to_json())


def _entry(statement: dict[str, Any], signature: str | dict[str, str], reference: bool | None = None) -> bytes:
    wrapped = {"signature": signature, "statement": statement}
    entry = canonical_json(wrapped) if reference is None else _canonical(wrapped, reference)
    if len(entry) > MAX_ENTRY_BYTES:
        raise EnvelopeError("entry.too_large", f"entry of {len(entry)} bytes exceeds {MAX_ENTRY_BYTES}")
    return entry


def unseal(entry: bytes) -> Envelope:
    """Parse a log entry; refuse anything oversized, non-canonical or carrying floats or big integers.

    The signature is not checked here: which key is valid depends on the key history (`keys.py`).
    """
    if len(entry) > MAX_ENTRY_BYTES:
        raise EnvelopeError("entry.too_large", f"entry of {len(entry)} bytes exceeds {MAX_ENTRY_BYTES}")
    value = _strict_json(entry)
    if not isinstance(value, dict) or set(value) != {"signature", "statement"}:
        raise EnvelopeError("entry.malformed", "an entry is an object with exactly 'signature' and 'statement'")
    statement, signature = value["statement"], value["signature"]
    if not isinstance(statement, dict) or not isinstance(statement.get("key"), str):
        raise EnvelopeError("entry.malformed", "the statement must be an object naming its key")
    if not isinstance(statement.get("party"), str):
        raise EnvelopeError("entry.malformed", "the statement must name its party")
    _check_signature_shape(statement["key"], signature)
    if not _is_canonical_checked(value, entry):
        raise EnvelopeError("entry.not_canonical", "the entry is not in RFC 8785 canonical form")
    return _envelope(statement, signature, entry)


def unseal_audited(entry: bytes) -> Envelope:
    """Parse an entry that `unseal` (and its signature check) already accepted, e.g. in a parallel audit of
    the whole log: the same result, without checking form again."""
    value = msgspec.json.decode(entry)
    return _envelope(value["statement"], value["signature"], entry, decode=binascii.a2b_base64)


def _check_signature_shape(key: str, signature: Any) -> None:
    """An Ed25519 key signs with a base64 string; a passkey with an object of exactly three base64 strings."""
    if not key.startswith(PASSKEY_PREFIX):
        if not isinstance(signature, str):
            raise EnvelopeError("entry.malformed", f"the signature of {key} is a base64 string")
        return
    if not (isinstance(signature, dict) and set(signature) == ASSERTION_FIELDS
            and all(isinstance(v, str) for v in signature.values())):
        raise EnvelopeError("entry.malformed", "a passkey signature is an object with exactly 'authenticatorData', "
                            "'clientDataJSON' and 'signature', each a base64 string")


def _envelope(statement: dict[str, Any], signature: str | dict, entry: bytes, decode=None) -> Envelope:
    """`entry` is canonical: {"signature":…,"statement":{…}} with the keys in that order, the signature a
    base64 string or an object of base64 strings (no quote in either), so the statement's canonical form
    is what follows the first "statement": and precedes the closing brace. `decode`: base64 already checked
    strict (an audited entry), else `_strict_b64`."""
    b64 = decode or _strict_b64
    statement_json = entry[entry.index(b'"statement":') + 12 : -1]
    if isinstance(signature, str):
        return Envelope(statement, b64(signature), entry, None, statement_json)
    assertion = Assertion(b64(signature["authenticatorData"]), b64(signature["clientDataJSON"]),
                          b64(signature["signature"]))
    return Envelope(statement, b"", entry, assertion, statement_json)


def is_canonical(value: Any, entry: bytes) -> bool:
    """Whether `entry` is the RFC 8785 form of `value` (duplicate keys, spacing or order all fail)."""
    return canonical_json(value) == entry


_AT_OR_ABOVE_E000 = re.compile(b"[\xee-\xff]")  # UTF-8 lead bytes of U+E000 and beyond


def _is_canonical_checked(value: Any, entry: bytes) -> bool:
    """`is_canonical` for a value `check_values` accepted (no floats). If the entry holds no character at or
    above U+E000, msgspec's sorted encoding is RFC 8785's for any value it can equal: a value with such a
    key (spelt with a \\u escape) encodes to bytes the entry does not hold, so it fails either way. This
    skips `_needs_reference`'s walk over every value."""
    if _AT_OR_ABOVE_E000.search(entry) is None:
        return msgspec.json.encode(value, order="sorted") == entry
    return is_canonical(value, entry)


def _needs_reference(value: Any) -> bool:
    """Floats (ECMAScript number formatting) and keys at or above U+E000 (UTF-16 order) go to `rfc8785`."""
    if isinstance(value, dict):
        return any(max(key, default="\0") >= "\ue000" or _needs_reference(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_needs_reference(item) for item in value)
    return isinstance(value, float)


def check_values(value: Any) -> None:
    """Statements carry strings, booleans, null and integers below 2**53 — never floats, and never the NUL
    character (PostgreSQL's text columns cannot hold it, and no reader expects it)."""
    # One loop over an explicit stack, dispatching on the exact type: every entry of a log goes through
    # this, and a recursive call per value cost twice as much.
    stack = [value]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str:
            if "\x00" in value:
                raise EnvelopeError("value.nul", "text in a statement may not contain the NUL character (\\u0000)")
        elif kind is dict:
            stack.extend(value)  # the keys
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
        elif kind is int:
            if value > MAX_SAFE_INTEGER or value < -MAX_SAFE_INTEGER:
                raise EnvelopeError("value.too_large", f"integer {value} is beyond 2**53 - 1")
        elif kind is bool or value is None:
            pass
        else:
            _check_other(value)


def _check_other(value: Any) -> None:
    """Subclasses (and floats) the loop above does not name: the same rules by isinstance."""
    if isinstance(value, str):
        check_values(str(value))
    elif isinstance(value, float):
        raise EnvelopeError("value.float", "floats are not allowed in statements")
    elif isinstance(value, int) and not isinstance(value, bool):
        check_values(int(value))
    elif isinstance(value, dict):
        check_values(dict(value))
    elif isinstance(value, list):
        check_values(list(value))


def _strict_json(entry: bytes) -> Any:
    """Parse with msgspec; floats and big integers are then refused, and a duplicate key (which the
    parser collapses) makes the canonical comparison fail."""
    try:
        value = msgspec.json.decode(entry)
    except msgspec.DecodeError as error:
        raise EnvelopeError("entry.malformed", f"not JSON: {error}") from None
    check_values(value)
    return value


def _std(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _strict_b64(text: str) -> bytes:
    """Strict base64: the standard alphabet, required padding, and the pad bits zero (the one spelling of
    the bytes), so no two entries carry the same signature written differently."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise EnvelopeError("entry.malformed", "signature is not base64") from None
    if base64.b64encode(data).decode() != text:
        raise EnvelopeError("entry.malformed", "signature is not in canonical base64 (its pad bits are not zero)")
    return data
