"""C2SP signed notes: Ed25519 signer and verifier keys, signing and opening notes.

Spec: c2sp.org/signed-note. A note is UTF-8 text ending in a newline, a blank line, then one line per
signature: "— <key name> <base64(4-byte key id || signature)>". A key id is the first four bytes of
SHA-256(name || "\\n" || type || public key). Ed25519 (type 0x01) comes from `cryptography`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .crypto import public_bytes, verify_ed25519

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
SIGNATURE_PREFIX = "— "
MAX_SIGNATURES = 100


class NoteError(ValueError):
    """A malformed note or key, or a note that no trusted key signed."""


def key_id(name: str, key_type: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public).digest()[:4]


def _check_name(name: str) -> str:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")
    return name


@dataclass(frozen=True)
class Verifier:
    name: str
    key_type: int
    public: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.key_type, self.public)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Ed25519 (0x01) signs the note text; a cosignature/v1 (0x04) key signs a timestamped header
        and the text, its signature carrying the 8-byte timestamp in front (c2sp.org/tlog-cosignature)."""
        if self.key_type == COSIGNATURE_V1 and len(signature) == 72:
            timestamp = int.from_bytes(signature[:8], "big")
            message, signature = cosigned_message(message, timestamp), signature[8:]
        elif self.key_type != ED25519:
            return False
        return verify_ed25519(self.public, message, signature)

    def encode(self) -> str:
        blob = base64.b64encode(bytes([self.key_type]) + self.public).decode()
        return f"{self.name}+{self.id.hex()}+{blob}"


@dataclass(frozen=True)
class _PrivateKey:
    """An Ed25519 private key with its signed-note name; `KEY_TYPE` says what it signs."""

    KEY_TYPE = ED25519
    name: str
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str):
        return cls(_check_name(name), Ed25519PrivateKey.generate())

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.KEY_TYPE, public_bytes(self.private))

    def encode(self) -> str:
        blob = base64.b64encode(bytes([self.KEY_TYPE]) + self.private.private_bytes_raw()).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.id.hex()}+{blob}"


class Signer(_PrivateKey):
    """A log key: signs notes (checkpoints)."""

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


class Cosigner(_PrivateKey):
    """A witness key: signs cosignature/v1 statements over checkpoints (c2sp.org/tlog-cosignature)."""

    KEY_TYPE = COSIGNATURE_V1

    def cosign(self, checkpoint_text: str, timestamp: int) -> str:
        """One signature line over the checkpoint body, stamped with `timestamp` (seconds)."""
        signature = self.private.sign(cosigned_message(checkpoint_text.encode(), timestamp))
        return _signature_line(self.name, self.verifier.id + timestamp.to_bytes(8, "big") + signature)


def cosigned_message(text: bytes, timestamp: int) -> bytes:
    return b"cosignature/v1\ntime " + str(timestamp).encode() + b"\n" + text


def parse_verifier(text: str) -> Verifier:
    """A verifier key string: name+hexid+base64(type || public key); Ed25519 or cosignature/v1."""
    name, key_hash, blob = _split_key(text.strip(), 3)
    raw = _b64(blob)
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError(f"verifier key for {name} is not an Ed25519 or cosignature/v1 key")
    verifier = Verifier(_check_name(name), raw[0], raw[1:])
    if verifier.id.hex() != key_hash:
        raise NoteError(f"verifier key for {name}: key id {key_hash} does not match the key")
    return verifier


def parse_signer(text: str) -> Signer | Cosigner:
    """A signer key string: PRIVATE+KEY+name+hexid+base64(type || 32-byte seed); type 0x01 signs
    notes (a log key), type 0x04 cosigns checkpoints (a witness key)."""
    parts = text.strip().split("+", 4)  # base64 may itself contain '+'
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("a signer key starts with PRIVATE+KEY+ and has five parts")
    _, _, name, key_hash, blob = parts
    raw = _b64(blob)
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
        raise NoteError(f"signer key for {name} is not an Ed25519 or cosignature/v1 key")
    kind = Signer if raw[0] == ED25519 else Cosigner
    signer = kind(_check_name(name), Ed25519PrivateKey.from_private_bytes(raw[1:]))
    if signer.verifier.id.hex() != key_hash:
        raise NoteError(f"signer key for {name}: key id {key_hash} does not match the key")
    return signer


def sign_note(text: str, signers: list[Signer]) -> str:
    """The signed note: text, a blank line, one signature line per signer (in the order given)."""
    _check_text(text)
    lines = [_signature_line(s.name, s.verifier.id + s.sign(text.encode())) for s in signers]
    return text + "\n" + "".join(lines)


@dataclass(frozen=True)
class Signature:
    name: str
    id: bytes
    signature: bytes

    def line(self) -> str:
        return _signature_line(self.name, self.id + self.signature)


@dataclass(frozen=True)
class OpenedNote:
    text: str
    verified: list[Signature]
    unverified: list[Signature]


def split_note(message: str) -> tuple[str, list[Signature]]:
    """Text and signature lines of a note, without checking any signature."""
    cut = message.rfind("\n\n")
    if cut < 0 or not message.endswith("\n"):
        raise NoteError("a signed note is text, a blank line, then signature lines")
    text, block = message[: cut + 1], message[cut + 2 :]
    _check_text(text)
    lines = block[:-1].split("\n") if block else []
    if not lines or len(lines) > MAX_SIGNATURES:
        raise NoteError("a signed note needs between 1 and 100 signature lines")
    return text, [_parse_signature(line) for line in lines]


def open_note(message: str, verifiers: list[Verifier]) -> OpenedNote:
    """Check every signature by a known key; raise unless at least one verifies and none is forged."""
    text, signatures = split_note(message)
    known = {(v.name, v.id): v for v in verifiers}
    verified, unverified = [], []
    for signature in signatures:
        verifier = known.get((signature.name, signature.id))
        if verifier is None:
            unverified.append(signature)
        elif verifier.verify(text.encode(), signature.signature):
            verified.append(signature)
        else:
            raise NoteError(f"invalid signature by {signature.name}")
    if not verified:
        raise NoteError("no signature by a trusted key")
    return OpenedNote(text, verified, unverified)


def _parse_signature(line: str) -> Signature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError(f"malformed signature line {line!r}")
    name, _, blob = line[len(SIGNATURE_PREFIX) :].partition(" ")
    raw = _b64(blob)
    if len(raw) < 5:
        raise NoteError(f"signature by {name} is too short")
    return Signature(_check_name(name), raw[:4], raw[4:])


def _signature_line(name: str, blob: bytes) -> str:
    return f"{SIGNATURE_PREFIX}{name} {base64.b64encode(blob).decode()}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note text must not contain control characters")


def _split_key(text: str, parts: int) -> list[str]:
    fields = text.split("+", parts - 1)  # base64 may itself contain '+'
    if len(fields) != parts:
        raise NoteError(f"malformed key {text!r}")
    return fields


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"not base64: {text!r}") from None
