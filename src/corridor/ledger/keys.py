"""Key history: which key was valid for which party (and which member) at which log index.

Keys are registered, bound, rotated and revoked by statements on the log itself, so anyone replaying the
log can tell whether a signature was made with a key that was valid at that point:

- key.register {"party", "public", "custodial"?}: by a registrar (the operator's key, a trust root given
  to the verifier); the Ed25519 key is valid for entries after this one. "custodial": true says the
  server keeps its private half and signs for the party (absent: false).
- key.bind {"member", "credential", "public", "admin"}: binds a member's passkey (WebAuthn credential id
  and COSE public key) to the statement's party, as member "<party>/<id>". Signed by a key of that party:
  its Ed25519 key, or a passkey of the party bound with "admin": true. Valid for entries after it.
- key.rotate {"public"}: by the party's current Ed25519 key; the new key takes over, the old one is
  revoked. The new key is custodial if the old one was (whoever held the old key made the new one).
- key.revoke {"key", "reason"}: by a registrar or by the key's own party; a passkey signs it only if
  it is an admin's or it revokes itself. No entry after it may use the key.

A passkey never registers or rotates keys (key.unauthorised). Each passkey signature's counter is
kept (`KeyRecord.sign_count`): see passkeys.py for the rule.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Literal

from .envelope import Envelope, EnvelopeError, key_id, passkey_key_id, statement_digest
from .passkeys import MAX_CREDENTIAL_ID, WebAuthnPolicy, check_credential_key, sign_count, verify_assertion

KEY_STATEMENTS = frozenset({"key.register", "key.bind", "key.rotate", "key.revoke"})
MEMBER_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
SigningKind = Literal["registrar", "custodial", "party", "passkey"]


@dataclass
class KeyRecord:
    """`public`: the raw Ed25519 key, or a passkey's COSE_Key bytes. `member` ("<party>/<id>"), `admin`,
    `credential` (the WebAuthn credential id) and `sign_count` are a passkey's."""

    key: str
    party: str
    public: bytes
    valid_after: int
    revoked_at: int | None = None
    registrar: bool = False
    kind: Literal["ed25519", "passkey"] = "ed25519"
    custodial: bool = False
    member: str | None = None
    admin: bool = False
    credential: bytes | None = None
    sign_count: int = 0


def signing_kind(record: KeyRecord) -> SigningKind:
    """How a statement signed with this key was signed: by the registrar (operator), by the server for the
    party (custodial), by a key the party keeps itself, or by a member's passkey."""
    if record.registrar:
        return "registrar"
    if record.kind == "passkey":
        return "passkey"
    return "custodial" if record.custodial else "party"


@dataclass
class Signer:
    """A signature checked against the key history, not yet counted: `commit` stores the passkey's counter
    once the entry is accepted (a refused entry changes nothing)."""

    record: KeyRecord
    sign_count: int | None = None

    def commit(self) -> None:
        if self.sign_count is not None:
            self.record.sign_count = self.sign_count


class KeyHistory:
    def __init__(self, registrars: list[tuple[str, bytes]] = (), webauthn: WebAuthnPolicy | None = None) -> None:
        self.keys: dict[str, KeyRecord] = {}
        self.webauthn = webauthn or WebAuthnPolicy()
        for party, public in registrars:
            self.keys[key_id(public)] = KeyRecord(key_id(public), party, public, -1, registrar=True)

    def check(self, index: int, envelope: Envelope) -> KeyRecord:
        """Verify the entry at `index` with the key valid there; apply it if it is a key statement."""
        signer = self.signer(index, envelope)
        kind = envelope.statement.get("type")
        if kind in KEY_STATEMENTS:
            getattr(self, "_" + kind.split(".")[1])(index, envelope, signer.record)
        signer.commit()
        return signer.record

    def signer(self, index: int, envelope: Envelope, signature_checked: bool = False, defer: bool = False) -> Signer:
        """The key valid at `index` for the entry's party, and its signature checked (Ed25519, or the passkey
        checks in order). Changes nothing. `signature_checked`: the signature was checked already (a
        parallel audit): the key's validity and party are still checked, and a passkey's counter kept.
        `defer`: every check but the signature itself, which the caller makes later (a parallel audit)."""
        record = self.valid_key(envelope.key, index)
        if record.party != envelope.party:
            raise EnvelopeError("key.party", f"key {record.key} belongs to {record.party}, not {envelope.party}")
        if record.kind != "passkey":
            if not (signature_checked or defer):
                envelope.verify(record.public)
            return Signer(record)
        if envelope.assertion is None:
            raise EnvelopeError("entry.malformed", f"{record.key} is a passkey: the signature is its assertion")
        if signature_checked:
            return Signer(record, sign_count(envelope.assertion))
        count = verify_assertion(envelope.assertion, public_key=record.public, policy=self.webauthn,
                                 challenge=statement_digest(envelope.statement), stored_count=record.sign_count,
                                 signature=not defer)
        return Signer(record, count)

    def valid_key(self, key: str, index: int) -> KeyRecord:
        record = self.keys.get(key)
        if record is None or record.valid_after >= index:
            raise EnvelopeError("key.unknown", f"key {key} was not registered before entry {index}")
        if record.revoked_at is not None and record.revoked_at < index:
            raise EnvelopeError("key.revoked", f"key {key} was revoked at entry {record.revoked_at}")
        return record

    def _register(self, index: int, envelope: Envelope, signer: KeyRecord) -> None:
        if not signer.registrar:
            raise EnvelopeError("key.unauthorised", "only a registrar registers keys")
        payload = _payload(envelope)
        custodial = payload.get("custodial", False)
        if not isinstance(custodial, bool):
            raise EnvelopeError("entry.malformed", "'custodial' is true or false")
        self._add(KeyRecord("", str(payload.get("party", "")), _public(payload), index, custodial=custodial))

    def _bind(self, index: int, envelope: Envelope, signer: KeyRecord) -> None:
        if signer.kind == "passkey" and not signer.admin:
            raise EnvelopeError("key.unauthorised", f"member {signer.member} is not an admin of {signer.party}: "
                                "only an admin's passkey or the party's own key binds passkeys")
        payload = _payload(envelope)
        member, admin = payload.get("member"), payload.get("admin")
        if not isinstance(member, str) or not isinstance(admin, bool):
            raise EnvelopeError("entry.malformed", "key.bind names a 'member' and says whether it is 'admin'")
        party, _, local = member.partition("/")
        if party != signer.party:
            raise EnvelopeError("key.party", f"{member} is not a member of {signer.party}, which signs the binding")
        if not MEMBER_ID.fullmatch(local):
            raise EnvelopeError("entry.malformed", f"member {member!r} is '<party>/<id>', the id of lower-case "
                                "letters, digits and hyphens (at most 63)")
        credential = _bytes(payload, "credential")
        if not 1 <= len(credential) <= MAX_CREDENTIAL_ID:
            raise EnvelopeError("entry.malformed", f"'credential' is a credential id of 1 to {MAX_CREDENTIAL_ID} bytes")
        public = _bytes(payload, "public")
        check_credential_key(public)
        self._add(KeyRecord(passkey_key_id(credential), party, public, index, kind="passkey", member=member,
                            admin=admin, credential=credential))

    def _rotate(self, index: int, envelope: Envelope, signer: KeyRecord) -> None:
        if signer.registrar or signer.kind == "passkey":
            raise EnvelopeError("key.unauthorised", "rotation is by the party's own Ed25519 key (a registrar "
                                "registers keys, a passkey is bound and revoked, never rotated)")
        self._add(KeyRecord("", signer.party, _public(_payload(envelope)), index, custodial=signer.custodial))
        signer.revoked_at = index

    def _revoke(self, index: int, envelope: Envelope, signer: KeyRecord) -> None:
        target = self.keys.get(str(_payload(envelope).get("key", "")))
        if target is None:
            raise EnvelopeError("key.unknown", "cannot revoke a key that was never registered")
        if not signer.registrar and target.party != signer.party:
            raise EnvelopeError("key.unauthorised", f"{signer.party} cannot revoke a key of {target.party}")
        if signer.kind == "passkey" and not signer.admin and target is not signer:
            raise EnvelopeError("key.unauthorised", f"member {signer.member} may revoke only its own passkey "
                                "(an admin revokes any key of the party)")
        target.revoked_at = index if target.revoked_at is None else target.revoked_at

    def _add(self, record: KeyRecord) -> None:
        """A new key; an Ed25519 record comes with key "" and gets its id from its public key here."""
        record.key = record.key or key_id(record.public)
        if not record.party:
            raise EnvelopeError("entry.malformed", "a key registration names its party")
        if record.key in self.keys:
            raise EnvelopeError("key.duplicate", f"key {record.key} is already registered")
        self.keys[record.key] = record


def _payload(envelope: Envelope) -> dict:
    payload = envelope.statement.get("payload")
    if not isinstance(payload, dict):
        raise EnvelopeError("entry.malformed", "a key statement carries a payload object")
    return payload


def _bytes(payload: dict, name: str) -> bytes:
    try:
        return base64.b64decode(str(payload.get(name, "")), validate=True)
    except (binascii.Error, ValueError):
        raise EnvelopeError("entry.malformed", f"'{name}' is standard base64") from None


def _public(payload: dict) -> bytes:
    try:
        public = base64.b64decode(str(payload.get("public", "")), validate=True)
    except (binascii.Error, ValueError):
        public = b""
    if len(public) != 32:
        raise EnvelopeError("entry.malformed", "'public' is a base64 Ed25519 public key (32 bytes)")
    return public
