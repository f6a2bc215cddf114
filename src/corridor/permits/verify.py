"""Offline verification of a permit: what an officer's device can settle without a network.

Checked in this order, each with its code (errors.CODES): readable → signed by a trusted permit key →
signature → not on the revocation list → for this checkpoint → inside its window. What only the log settles
(that the consents it names exist and name this version, that it was issued at all) is docs/permits.md's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from . import cose, document, qr
from .errors import PermitRejected
from .trust import PermitKey


@dataclass(frozen=True)
class Verified:
    permit: document.Permit
    digest: str
    key: PermitKey


def signed_bytes(text_or_bytes: str | bytes) -> bytes:
    """QR text ("CP1:...") or the signed COSE bytes themselves → the signed bytes."""
    if isinstance(text_or_bytes, bytes) and not text_or_bytes.startswith(qr.PREFIX.encode()):
        return text_or_bytes
    text = text_or_bytes.decode("ascii", "replace") if isinstance(text_or_bytes, bytes) else text_or_bytes
    try:
        return qr.from_text(text)
    except qr.QrTextError as error:
        raise PermitRejected("permit.unreadable", str(error)) from None


def verify_permit(text_or_bytes: str | bytes, keys: Mapping[bytes, PermitKey], now: int,
                  checkpoint: str | None = None, revoked: Collection[str] = ()) -> Verified:
    """The permit if it is to be honoured now (at `checkpoint`, when given); PermitRejected otherwise.
    `revoked` holds the digests of revoked permits (a revocation list taken from the log while online)."""
    verified = verify_signature(text_or_bytes, keys)
    permit = verified.permit
    if verified.digest in revoked:
        raise PermitRejected("permit.revoked", f"permit {permit.id} of plan {permit.plan} is revoked")
    _check_place_and_time(permit, checkpoint, now)
    return verified


def verify_signature(text_or_bytes: str | bytes, keys: Mapping[bytes, PermitKey]) -> Verified:
    """A readable permit signed by a trusted permit key, whatever the time or place (for audits)."""
    signed = signed_bytes(text_or_bytes)
    message = _sign1(signed)
    key = keys.get(message.kid) if isinstance(message.kid, bytes) else None
    if key is None:
        raise PermitRejected("permit.key_unknown", f"key id {_hex(message.kid)} is not in the trust file")
    if message.protected.get(cose.ALG) != cose.EDDSA:
        raise PermitRejected("permit.forged", "a permit's algorithm is EdDSA, in its protected header")
    try:
        cose.verify_sign1(message, key.public)
    except cose.CoseError as error:
        raise PermitRejected("permit.forged", str(error)) from None
    try:
        permit = document.decode(message.payload)
    except ValueError as error:  # signed by a trusted key, yet not a permit: refuse it all the same
        raise PermitRejected("permit.unreadable", str(error)) from None
    return Verified(permit, document.digest(signed), key)


def _sign1(signed: bytes) -> cose.Sign1:
    try:
        return cose.decode_sign1(signed)
    except cose.CoseError as error:
        raise PermitRejected("permit.unreadable", str(error)) from None


def _check_place_and_time(permit: document.Permit, checkpoint: str | None, now: int) -> None:
    if checkpoint is not None and checkpoint not in permit.checkpoints:
        raise PermitRejected("permit.wrong_checkpoint",
                             f"route {permit.route} passes {', '.join(permit.checkpoints)}, not {checkpoint}")
    if now < permit.start - permit.tolerance:
        raise PermitRejected("permit.not_yet_valid", "its passage window has not opened")
    if now > permit.end + permit.tolerance:
        raise PermitRejected("permit.expired", "its passage window has closed")


def _hex(kid: object) -> str:
    return kid.hex() if isinstance(kid, bytes) else repr(kid)


def parse_revocation_list(text: str) -> frozenset[str]:
    """A revocation list: one permit digest (64 hex digits) a line, # comments; as the service publishes
    it (GET /log/permits/revoked.txt: the revoked permits still valid, docs/permits.md)."""
    digests = set()
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip()
        if not word:
            continue
        if len(word) != 64 or any(c not in "0123456789abcdef" for c in word):
            raise ValueError(f"a revocation list holds permit digests (64 hex digits), not {word!r}")
        digests.add(word)
    return frozenset(digests)
