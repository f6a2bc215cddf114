"""Passkey (WebAuthn) signatures on log entries: the checks, in the order a verifier makes them.

A passkey-signed entry carries a WebAuthn assertion (`envelope.Assertion`) whose challenge is the
statement's digest (`envelope.statement_digest`). Once its key is found bound, not revoked and of the
statement's party (keys.py), it is valid when, in this order (each with its code; docs/log.md numbers
these 2-9 and is the reference for verifiers in other languages):

1. clientDataJSON is a UTF-8 JSON object without duplicate keys, whose "type", "challenge" and "origin"
   are strings and "type" is "webauthn.get" .................................. passkey.client_data
2. "challenge" is the digest in base64url without padding, exactly ........... passkey.challenge
3. "origin" is one the log's trust file declares; "crossOrigin", if present, is false
                                                                              .. passkey.origin
4. authenticatorData parses (37 bytes or more, nothing left over) ............ entry.malformed
5. its rpIdHash is SHA-256 of an RP id declared for that origin .............. passkey.origin
6. its flags have user presence (UP, 0x01) and user verification (UV, 0x04) .. passkey.flags
7. its signCount, if it or the count stored for the credential is above 0, is above the stored count
   (a lower or equal count means a cloned authenticator or a replay) ......... passkey.counter
8. the signature verifies over authenticatorData || SHA-256(clientDataJSON) under the bound COSE key
                                                                              .. signature.invalid

py_webauthn does the COSE key decoding, the authenticator data parsing and the signature check. We do
not call its `verify_authentication_response` whole: it reports every failure as one exception type
(we need a stable code for each), takes one set of RP ids for all origins, decodes the challenge leniently
(padding, stray characters) and does not look at crossOrigin. Steps 1-3 are therefore written here.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from webauthn.helpers import (
    decode_credential_public_key,
    decoded_public_key_to_cryptography,
    parse_authenticator_data,
    verify_signature,
)
from webauthn.helpers.cose import COSECRV, COSEKTY, COSEAlgorithmIdentifier
from webauthn.helpers.structs import AuthenticatorData

from .envelope import Assertion, EnvelopeError

GET = "webauthn.get"
# the algorithms a credential may use: ES256 (ECDSA P-256 with SHA-256) and EdDSA (Ed25519)
ALGORITHMS = {(COSEKTY.EC2, COSEAlgorithmIdentifier.ECDSA_SHA_256, COSECRV.P256): "ES256",
              (COSEKTY.OKP, COSEAlgorithmIdentifier.EDDSA, COSECRV.ED25519): "EdDSA"}
MAX_CREDENTIAL_ID = 1023  # WebAuthn Level 3: credential ids are at most 1023 bytes


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
                            f"{', '.join(map(repr, rp_ids))}, the ones declared for {data['origin']!r}")
    if not auth.flags.up or (require_user_verification and not auth.flags.uv):
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
        decoded = decode_credential_public_key(public_key)
        verify_signature(public_key=decoded_public_key_to_cryptography(decoded), signature_alg=decoded.alg,
                         signature=assertion.signature, data=message)
    except Exception:  # InvalidSignature, and the library's own types too, e.g. for a wrong key length
        raise EnvelopeError("signature.invalid", "the passkey's signature does not verify") from None


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
    """Step 1. Parsed here rather than by py_webauthn's parse_client_data_json, which accepts duplicate
    keys (the last wins), decodes the challenge leniently and would let another verifier read the same
    bytes differently."""
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError) as error:
        raise EnvelopeError("passkey.client_data", f"clientDataJSON is not a UTF-8 JSON object: {error}") from None
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in ("type", "challenge", "origin")):
        raise EnvelopeError("passkey.client_data", "clientDataJSON needs 'type', 'challenge' and 'origin' strings")
    if value["type"] != GET:
        raise EnvelopeError("passkey.client_data", f"clientDataJSON type is {value['type']!r}, not {GET!r}")
    if "crossOrigin" in value and not isinstance(value["crossOrigin"], bool):
        raise EnvelopeError("passkey.client_data", "clientDataJSON 'crossOrigin' is a boolean")
    return value


def authenticator_data(raw: bytes) -> AuthenticatorData:
    """Step 4, by py_webauthn."""
    try:
        return parse_authenticator_data(raw)
    except Exception as error:  # its own types, or cbor2's for trailing extension data
        raise EnvelopeError("entry.malformed", f"authenticatorData does not parse: {error}") from None


def b64url(data: bytes) -> str:
    """base64url without padding, as browsers put a challenge into clientDataJSON."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("duplicate key")
    return dict(pairs)
