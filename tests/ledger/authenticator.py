"""A software WebAuthn authenticator for tests: makes real assertions with an EC P-256 (ES256) or Ed25519
(EdDSA) key, as a browser and a passkey would, so the ledger's checks run on genuine bytes.

An assertion is authenticatorData (SHA-256(rp id) || flags || signCount) and clientDataJSON
({"type", "challenge", "origin", "crossOrigin", ...}), signed over authenticatorData ||
SHA-256(clientDataJSON). The public key is a COSE_Key built with cbor2.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from corridor.ledger.envelope import Assertion, passkey_key_id, seal_passkey, statement_digest, with_passkey

ORIGIN, RP_ID = "http://localhost:8000", "localhost"
UP, UV = 0x01, 0x04


class Authenticator:
    def __init__(self, algorithm: str = "ES256", *, origin: str = ORIGIN, rp_id: str = RP_ID,
                 counting: bool = True) -> None:
        """`counting`: the signCount grows with each assertion (else it stays 0, as some passkeys do)."""
        self.algorithm, self.origin, self.rp_id, self.counting = algorithm, origin, rp_id, counting
        self.credential = os.urandom(32)
        self.private = ec.generate_private_key(ec.SECP256R1()) if algorithm == "ES256" else Ed25519PrivateKey.generate()
        self.count = 0

    @property
    def key(self) -> str:
        return passkey_key_id(self.credential)

    @property
    def cose(self) -> bytes:
        public = self.private.public_key()
        if self.algorithm == "ES256":
            numbers = public.public_numbers()
            x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
            return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: x, -3: y})  # EC2, ES256, P-256
        return cbor2.dumps({1: 1, 3: -8, -1: 6, -2: public.public_bytes(Encoding.Raw, PublicFormat.Raw)})  # OKP, EdDSA

    def bind_payload(self, member: str, admin: bool = False) -> dict[str, Any]:
        return {"member": member, "credential": _std(self.credential), "public": _std(self.cose), "admin": admin}

    def assertion(self, challenge: bytes, *, origin: str | None = None, rp_id: str | None = None, flags: int = UP | UV,
                count: int | None = None, kind: str = "webauthn.get", extra: dict | None = None) -> Assertion:
        """What navigator.credentials.get() answers for `challenge`; each keyword changes one thing."""
        if count is None:
            self.count += 1 if self.counting else 0
            count = self.count
        auth = hashlib.sha256((rp_id or self.rp_id).encode()).digest() + bytes([flags]) + count.to_bytes(4, "big")
        client = {"type": kind, "challenge": base64.urlsafe_b64encode(challenge).decode().rstrip("="),
                  "origin": origin or self.origin, "crossOrigin": False,
                  "other_keys_can_be_added_here": "do not compare clientDataJSON against a template", **(extra or {})}
        client_data = json.dumps(client, separators=(",", ":")).encode()
        return Assertion(auth, client_data, self.sign(auth + hashlib.sha256(client_data).digest()))

    def sign(self, message: bytes) -> bytes:
        if self.algorithm == "ES256":
            return self.private.sign(message, ec.ECDSA(hashes.SHA256()))
        return self.private.sign(message)

    def seal(self, statement: dict[str, Any], **options: Any) -> bytes:
        """The log entry of `statement` signed with this passkey (options as for `assertion`)."""
        statement = with_passkey(statement, self.credential)
        return seal_passkey(statement, self.assertion(statement_digest(statement), **options))


def _std(data: bytes) -> str:
    return base64.b64encode(data).decode()
