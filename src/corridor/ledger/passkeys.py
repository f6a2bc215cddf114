"""Passkey (WebAuthn) signatures on log entries: the checks, in the order a verifier makes them.

A passkey-signed entry carries a WebAuthn assertion (`envelope.Assertion`) whose challenge is the
statement's digest (`envelope.statement_digest`). Once its key is found bound, not revoked and of the
statement's party (keys.py), it is valid when, in this order (each with its code; docs/log.md numbers
these 2-9 and is the reference for verifiers in other languages, down to the bytes):

1. clientDataJSON is strict JSON (RFC 8259, UTF-8, no byte-order mark, no NaN or Infinity, no lone
   surrogate, at most 16 levels deep): an object without duplicate member names, whose "type",
   "challenge" and "origin" are strings, "crossOrigin" (if present) a boolean, and "type" is
   "webauthn.get" ........................................................... passkey.client_data
2. "challenge" is the digest in base64url without padding, exactly ........... passkey.challenge
3. "origin" is one the log's trust file declares; "crossOrigin", if present, is false
                                                                              .. passkey.origin
4. authenticatorData parses: 37 bytes (rpIdHash, flags, signCount), flag AT unset, then the extensions
   if and only if flag ED is set: one CBOR map in canonical form, up to the last byte .. entry.malformed
5. its rpIdHash is SHA-256 of an RP id declared for that origin .............. passkey.origin
6. its flags have user presence (UP, 0x01) and user verification (UV, 0x04); the others are not
   looked at (BE, BS, the reserved bits) .................................... passkey.flags
7. its signCount, if it or the count stored for the credential is above 0, is above the stored count
   (a lower or equal count means a cloned authenticator or a replay) ......... passkey.counter
8. the signature verifies over authenticatorData || SHA-256(clientDataJSON) under the bound COSE key
   (ES256: ASN.1 DER, high S accepted; Ed25519: cofactorless, S below the group order, as OpenSSL
   verifies) ................................................................. signature.invalid

py_webauthn does the COSE key decoding and the signature check (by `cryptography`, i.e. OpenSSL). We do
not call its `verify_authentication_response` whole: it reports every failure as one exception type
(we need a stable code for each), takes one RP id for all origins, decodes the challenge leniently
(padding, stray characters) and does not look at crossOrigin. Nor its parsers: its clientDataJSON reader
is Python's lax `json` (NaN, lone surrogates, duplicate keys), and its authenticatorData reader accepts
attested credential data in an assertion and measures the extensions by re-encoding them (so whether an
encoding passes depends on cbor2's encoder). Steps 1-4 are therefore written here, each rule one a
verifier in another language can make exactly; CBOR is still decoded and encoded by cbor2.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import cbor2
from webauthn.helpers import decode_credential_public_key, decoded_public_key_to_cryptography, verify_signature
from webauthn.helpers.cose import COSECRV, COSEKTY, COSEAlgorithmIdentifier

from .envelope import Assertion, EnvelopeError

GET = "webauthn.get"
# the algorithms a credential may use: ES256 (ECDSA P-256 with SHA-256) and EdDSA (Ed25519)
ALGORITHMS = {(COSEKTY.EC2, COSEAlgorithmIdentifier.ECDSA_SHA_256, COSECRV.P256): "ES256",
              (COSEKTY.OKP, COSEAlgorithmIdentifier.EDDSA, COSECRV.ED25519): "EdDSA"}
MAX_CREDENTIAL_ID = 1023  # WebAuthn Level 3: credential ids are at most 1023 bytes
UP, UV, AT, ED = 0x01, 0x04, 0x40, 0x80  # authenticatorData flags: user present, verified, attested data, extensions
HEADER = 37  # rpIdHash (32 bytes), flags (1), signCount (4, big-endian)
MAX_DEPTH = 16  # levels of nesting in clientDataJSON and in the extensions (real ones have 1 to 3)


@dataclass(frozen=True)
class WebAuthnPolicy:
    """Where passkeys may sign: the trust file's `webauthn RP_ID ORIGIN` lines, as (RP id, origin) pairs in
    their order, each once. An origin may be declared with several RP ids (the service moved its RP id to a
    parent domain, say): an assertion made there is accepted under any of them, so what the passkeys made
    under the earlier one signed stays valid. An empty policy accepts no passkey signature (every one is
    refused passkey.origin)."""

    pairs: tuple[tuple[str, str], ...] = ()

    def rp_ids(self, origin: str) -> list[str]:
        """The RP ids declared for `origin`, in the trust file's order (none: passkeys do not sign there)."""
        return [rp_id for rp_id, declared in self.pairs if declared == origin]

    def declares(self, rp_id: str, origin: str) -> bool:
        return (rp_id, origin) in self.pairs

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> WebAuthnPolicy:
        """From (rp_id, origin) pairs, as the trust file spells them; a repeated pair counts once."""
        return cls(tuple(dict.fromkeys((rp_id, origin) for rp_id, origin in pairs)))

    def lines(self) -> list[str]:
        return [f"webauthn {rp_id} {origin}" for rp_id, origin in self.pairs]


def verify_assertion(assertion: Assertion, *, public_key: bytes, challenge: bytes, policy: WebAuthnPolicy,
                     stored_count: int = 0, require_user_verification: bool = True, signature: bool = True) -> int:
    """Every check above for one assertion; returns its signCount (the caller stores it once the entry
    is accepted). `challenge` is the statement digest for a log entry (a test vector's challenge in
    tests); `public_key` the credential's COSE_Key bytes. `signature=False` leaves step 8 to the caller
    (a parallel audit checks signatures apart from the steps that depend on the order of entries)."""
    count = check_context(assertion, challenge, policy, require_user_verification)
    check_counter(count, stored_count)
    if signature:
        check_signature(assertion, public_key)
    return count


def check_context(assertion: Assertion, challenge: bytes, policy: WebAuthnPolicy,
                  require_user_verification: bool = True) -> int:
    """Steps 1-6: what the assertion says it is about; returns the authenticator's signCount."""
    data = client_data(assertion.client_data_json)
    if data["challenge"] != b64url(challenge):
        raise EnvelopeError("passkey.challenge", "the passkey signed another statement (its challenge is not "
                            "this statement's digest)")
    rp_ids = policy.rp_ids(data["origin"])
    if not rp_ids:
        raise EnvelopeError("passkey.origin", f"signed on {data['origin']!r}, not an origin the log's trust file "
                            "declares for passkeys")
    if data.get("crossOrigin", False) is not False:
        raise EnvelopeError("passkey.origin", "signed in a frame of another site (crossOrigin is true)")
    auth = authenticator_data(assertion.authenticator_data)
    if auth.rp_id_hash not in {hashlib.sha256(rp_id.encode()).digest() for rp_id in rp_ids}:
        raise EnvelopeError("passkey.origin", "the authenticator signed for another RP id than "
                            f"{', '.join(map(repr, rp_ids))}, the RP ids declared for {data['origin']!r}")
    if not auth.flags & UP or (require_user_verification and not auth.flags & UV):
        raise EnvelopeError("passkey.flags", "the authenticator did not verify the user (user presence and "
                            "user verification flags must both be set)")
    return auth.sign_count


def check_counter(count: int, stored: int) -> None:
    """Step 7. Authenticators that keep no counter send 0 each time, which is accepted while the stored
    count is 0 too; once a count was seen it must grow with every signature."""
    if (count > 0 or stored > 0) and count <= stored:
        raise EnvelopeError("passkey.counter", f"signature counter {count} is not above {stored}, the last one "
                            "seen for this passkey: a cloned authenticator or a replayed signature")


def check_signature(assertion: Assertion, public_key: bytes) -> None:
    """Step 8, by py_webauthn and `cryptography`."""
    message = assertion.authenticator_data + hashlib.sha256(assertion.client_data_json).digest()
    try:
        key, alg = _verifying_key(public_key)
        verify_signature(public_key=key, signature_alg=alg, signature=assertion.signature, data=message)
    except Exception:  # InvalidSignature, and the library's own types too, e.g. for a wrong key length
        raise EnvelopeError("signature.invalid", "the passkey's signature does not verify") from None


@lru_cache(maxsize=4096)
def _verifying_key(public_key: bytes) -> tuple[Any, COSEAlgorithmIdentifier]:
    """The COSE_Key decoded into a `cryptography` key object, once per credential: a member signs many entries
    with one passkey, and decoding the CBOR and building the key cost 11 µs (Ed25519) to 26 µs (P-256) a
    check, 4-13% of the check itself (issue 12). The objects are immutable; a key that does not decode raises,
    and is not kept."""
    decoded = decode_credential_public_key(public_key)
    return decoded_public_key_to_cryptography(decoded), decoded.alg


def sign_count(assertion: Assertion) -> int:
    """The signCount of an assertion already checked (e.g. by a parallel audit)."""
    return authenticator_data(assertion.authenticator_data).sign_count


def check_credential_key(public_key: bytes) -> str:
    """A COSE_Key a key.bind may carry: EC2 P-256 with ES256, or OKP Ed25519 with EdDSA, a valid point.
    Returns the algorithm's name. (A raw 0x04 point, which py_webauthn also accepts, is not a COSE_Key.)"""
    try:
        if public_key[:1] == b"\x04":
            raise ValueError("a raw EC point, not a COSE_Key")
        decoded = decode_credential_public_key(public_key)
        kind = (decoded.kty, decoded.alg, getattr(decoded, "crv", None))
    except Exception as error:  # the library raises KeyError, ValueError or its own types
        raise EnvelopeError("entry.malformed", f"'public' is not a COSE_Key: {error}") from None
    if kind not in ALGORITHMS:
        raise EnvelopeError("passkey.algorithm", "a passkey must use ES256 (P-256) or EdDSA (Ed25519), not "
                            f"COSE key type {kind[0]} with algorithm {kind[1]}")
    try:
        decoded_public_key_to_cryptography(decoded)
    except Exception:  # a point not on the curve, a wrong length
        raise EnvelopeError("entry.malformed", "'public' is not a valid public key") from None
    return ALGORITHMS[kind]


def client_data(raw: bytes) -> dict[str, Any]:
    """Step 1. Python's `json` alone is laxer than RFC 8259 (NaN, Infinity, lone surrogates, duplicate
    names: the last wins), and py_webauthn's reader adds a lenient challenge decoding: either would let
    another verifier read the same bytes differently. Numbers are read as Decimal, so any size is JSON."""
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_object, parse_constant=_no_constant,
                           parse_int=Decimal, parse_float=Decimal)
        _strict(value, 1)
    except (UnicodeError, ValueError, RecursionError) as error:
        raise EnvelopeError("passkey.client_data", f"clientDataJSON is not strict UTF-8 JSON: {error}") from None
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in ("type", "challenge", "origin")):
        raise EnvelopeError("passkey.client_data", "clientDataJSON needs 'type', 'challenge' and 'origin' strings")
    if value["type"] != GET:
        raise EnvelopeError("passkey.client_data", f"clientDataJSON type is {value['type']!r}, not {GET!r}")
    if "crossOrigin" in value and not isinstance(value["crossOrigin"], bool):
        raise EnvelopeError("passkey.client_data", "clientDataJSON 'crossOrigin' is a boolean")
    return value


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a member name appears twice")
    return dict(pairs)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _strict(value: Any, depth: int) -> None:
    """Every string (names too) is Unicode text, i.e. has no lone surrogate; at most MAX_DEPTH levels."""
    if isinstance(value, str):
        value.encode("utf-8")  # UnicodeEncodeError for a lone surrogate, which \ud800 escapes can make
    elif isinstance(value, dict | list):
        if depth > MAX_DEPTH:
            raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
        for item in (*value, *value.values()) if isinstance(value, dict) else value:
            _strict(item, depth + 1)


@dataclass(frozen=True)
class AuthenticatorData:
    rp_id_hash: bytes
    flags: int
    sign_count: int
    extensions: dict | None  # present if and only if flag ED is set


def authenticator_data(raw: bytes) -> AuthenticatorData:
    """Step 4: 37 bytes, then the extensions if flag ED says so, and nothing else. An assertion carries no
    attested credential data (flag AT: only a registration does)."""
    if len(raw) < HEADER:
        raise EnvelopeError("entry.malformed", f"authenticatorData is {len(raw)} bytes, not at least {HEADER}")
    flags, rest = raw[32], raw[HEADER:]
    if flags & AT:
        raise EnvelopeError("entry.malformed", "authenticatorData of an assertion carries no attested credential "
                            "data (flag AT, 0x40, is set)")
    if not flags & ED and rest:
        raise EnvelopeError("entry.malformed", f"{len(rest)} bytes follow the signCount of authenticatorData, "
                            "and flag ED (0x80, extensions) is not set")
    return AuthenticatorData(raw[:32], flags, int.from_bytes(raw[33:HEADER], "big"),
                             extensions(rest) if flags & ED else None)


def extensions(raw: bytes) -> dict:
    """The authenticator's extension outputs: one CBOR map ending where authenticatorData ends, in canonical
    form (CTAP2's: shortest integers and lengths, definite lengths, keys in the bytewise order of their
    encodings), of maps, arrays, integers, byte and text strings, false, true and null only (no tags, no
    floats), keys integers or text, at most MAX_DEPTH levels. Decoded, checked, then encoded again by cbor2:
    the same bytes or a refusal."""
    try:
        decoder = cbor2.CBORDecoder(io.BytesIO(raw))
        value = decoder.decode()
        if decoder.fp.tell() != len(raw):
            raise ValueError(f"{len(raw) - decoder.fp.tell()} bytes left over after them")
        if not isinstance(value, dict):
            raise ValueError("not a CBOR map")
        _plain(value, 1)
        if cbor2.dumps(value) != raw:
            raise ValueError("not in canonical form (shortest integers and lengths, definite lengths)")
    except Exception as error:  # cbor2's own errors, ValueError and RecursionError
        raise EnvelopeError("entry.malformed", f"the extensions in authenticatorData: {error}") from None
    return value


def _plain(value: Any, depth: int) -> None:
    """The types, key order and depth `extensions` allows; the encoding itself is checked by re-encoding."""
    if isinstance(value, dict):
        if any(type(key) not in (int, str) for key in value):
            raise ValueError("a map key that is neither an integer nor text")
        keys = [cbor2.dumps(key) for key in value]
        if keys != sorted(keys):
            raise ValueError("map keys out of canonical order")
    if isinstance(value, dict | list):
        if depth > MAX_DEPTH:
            raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
        for item in (*value, *value.values()) if isinstance(value, dict) else value:
            _plain(item, depth + 1)
    elif type(value) is int:
        if not -(2**64) <= value < 2**64:
            raise ValueError("an integer beyond CBOR's 64 bits (a bignum tag)")
    elif value is not None and type(value) not in (bool, bytes, str):
        raise ValueError(f"a {type(value).__name__} (tags, floats and other simple values are not allowed)")


def b64url(data: bytes) -> str:
    """base64url without padding, as browsers put a challenge into clientDataJSON."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
