"""What a passage permit says, and its CBOR form (the COSE_Sign1 payload).

One permit per vehicle of a cleared leg. It carries in clear what the officer at the barrier must compare
with the truck in front of them (plate, window, what it carries) and, for the log to settle later, the plan
version, the log indexes of the consents it rests on and the log checkpoint (size, root) it was issued at.
The plate and the window never reach the public log: the `permit.issue` statement carries only `digest`,
the SHA-256 of the signed permit, which a random nonce keeps from being guessed from a list of plates.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

import cbor2
import msgspec

FORMAT_VERSION = 1
NONCE_BYTES = 16


class LineSummary(msgspec.Struct, frozen=True, array_like=True):
    item: str
    quantity: int
    unit: str


# short names on the wire (CWT-like: `nbf`, `exp`, `iat`) keep the QR code small enough to scan in poor light
WIRE_NAMES = {"issuer": "iss", "plan": "pl", "version": "ver", "route": "rt", "checkpoints": "cps",
              "vehicle": "veh", "plate": "plt", "vehicle_type": "vt", "start": "nbf", "end": "exp",
              "tolerance": "tol", "lines": "ln", "consents": "con", "log_size": "lsz", "log_root": "lrt",
              "issued": "iat", "nonce": "n"}


class Permit(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, rename=WIRE_NAMES):
    """Times are whole seconds since the epoch (UTC), as everywhere in the engine."""

    v: int = FORMAT_VERSION
    id: str
    issuer: str  # the party whose permit key signed it (the service's operator)
    plan: str
    version: str  # the plan version every consent named
    leg: str
    route: str
    checkpoints: tuple[str, ...]  # the route's checkpoints, where the permit may be shown
    vehicle: str
    plate: str
    vehicle_type: str = ""
    start: int  # the confirmed slot's window
    end: int
    tolerance: int = 0  # seconds either side of the window the plan allows
    lines: tuple[LineSummary, ...] = ()
    consents: tuple[int, ...] = ()  # log indexes of the consents (and slot confirmations) it rests on
    log_size: int
    log_root: Annotated[bytes, msgspec.Meta(min_length=32, max_length=32)]
    issued: int
    nonce: Annotated[bytes, msgspec.Meta(min_length=NONCE_BYTES, max_length=NONCE_BYTES)]


def encode(permit: Permit) -> bytes:
    """Deterministic CBOR (RFC 8949 §4.2) of the permit's fields by name."""
    return cbor2.dumps(msgspec.to_builtins(permit, enc_hook=None, builtin_types=(bytes,)), canonical=True)


def decode(payload: bytes) -> Permit:
    """Raise ValueError for a payload that is not a version-1 permit."""
    try:
        data = cbor2.loads(payload)
        return msgspec.convert(data, type=Permit, strict=True)
    except (cbor2.CBORDecodeError, msgspec.ValidationError, TypeError, RecursionError) as error:
        raise ValueError(f"not a permit: {error}") from None


def digest(signed: bytes) -> str:
    """What the log carries for a permit: the SHA-256 of its signed COSE bytes, in hex."""
    return hashlib.sha256(signed).hexdigest()
