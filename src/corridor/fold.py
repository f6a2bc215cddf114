"""The state as a fold of the log: each entry's signature checked against the key history, then its
statement applied by the engine. Used by the service (incrementally) and by anyone rebuilding from the log.

Pure: no Django, no I/O. The operator is the log's registrar: its key is the trust root that registers
every other key, and its party is the one that keeps the registry of parties and routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .engine import Party, State, apply, parse_statement, settle
from .engine.apply import check_time
from .engine.errors import refuse
from .engine.statements import Statement, parse_key_statement, parse_statement_json
from .ledger.envelope import Envelope, unseal, unseal_audited
from .ledger.keys import KEY_STATEMENTS, KeyHistory, KeyRecord, SigningKind, signing_kind
from .ledger.passkeys import WebAuthnPolicy
from .ledger.relay import RELAY, check_relayed

OPERATOR_NAME = "Corridor operator"


class DeferredSignatures(Protocol):
    """Takes the signatures `apply_entry` leaves to be checked later (`ledger.audit.SignatureChecks`)."""

    def add(self, index: int, entry: bytes, public: bytes) -> None: ...


@dataclass
class Folded:
    """What one entry did: its envelope, the parsed statement (None for key statements) and the plans
    whose state changed (the statement's own, and any whose timers fell due). `signer` is the key that
    signed it, as it was when the entry was applied (see `signed_by` and `member`)."""

    index: int
    envelope: Envelope
    statement: Statement | None
    plans: list[str] = field(default_factory=list)
    signer: KeyRecord | None = None
    relayed: KeyRecord | None = None  # an offline.relay's: the passkey that signed the statement it carries

    @property
    def type(self) -> str:
        return self.envelope.statement["type"]

    @property
    def signed_by(self) -> SigningKind | None:
        """"registrar", "custodial", "party" or "passkey"."""
        return signing_kind(self.signer) if self.signer else None

    @property
    def member(self) -> str | None:
        """The pseudonymous member id ("border/m3") of a passkey signer, else None."""
        return self.signer.member if self.signer else None


def _parse(envelope: Envelope) -> Statement:
    """The typed statement, decoded from its canonical JSON when the envelope holds it: the same records and
    refusals as converting the decoded dict, ~10x faster (msgspec's convert from a dict to a tagged union
    costs more than decoding the JSON again)."""
    if envelope.statement_json:
        return parse_statement_json(envelope.statement_json)
    return parse_statement(envelope.statement)


class LogFold:
    def __init__(self, operator: str, registrar_public: bytes, webauthn: WebAuthnPolicy | None = None) -> None:
        """`webauthn`: the origins (and their RP ids) where passkeys may sign; none: every passkey
        signature is refused (passkey.origin)."""
        self.operator = operator
        self.keys = KeyHistory([(operator, registrar_public)], webauthn=webauthn)
        self.state = State.with_registry([Party(id=operator, name=OPERATOR_NAME, kind="operator")], [])
        self.size = 0

    def apply_entry(self, entry: bytes, signature_checked: bool = False,
                    signatures: DeferredSignatures | None = None, unsealed: Envelope | None = None) -> Folded:
        """Check and apply the next entry. Raises EnvelopeError or RuleViolation and changes nothing if
        either refuses it (key statements are checked in full before the key history changes).
        `signature_checked`: the caller already checked this entry's form and signature (a parallel audit
        of the whole log); the key's validity and party, and the rules, are still checked here, in order.
        `signatures`: every check is made here but the signature itself (Ed25519, or a passkey's), which is
        handed to `signatures.add` with the key to check it with: the caller must see those checks pass
        before it trusts what was applied (a rebuild checks them on other cores while it folds).
        `unsealed`: `unseal(entry)` as the caller already made it (its form checked), not parsed again."""
        if unsealed is not None and unsealed.entry != entry:
            raise ValueError("`unsealed` is not this entry's")
        envelope = unsealed or (unseal_audited(entry) if signature_checked else unseal(entry))
        kind = envelope.statement.get("type")
        if kind in KEY_STATEMENTS:
            return self._apply_key_statement(envelope)
        statement = _parse(envelope)
        deferred = signatures is not None and not signature_checked
        signer = self.keys.signer(self.size, envelope, signature_checked, defer=deferred)
        relayed = check_relayed(self.keys, self.size, envelope, not signature_checked) if kind == RELAY else None
        changed = settle(self.state, max(statement.seconds(), self.state.clock))
        apply(self.state, statement)
        signer.commit()  # a passkey's counter moves only once the statement is accepted
        if deferred:
            signatures.add(self.size, entry, signer.record.public)
        plan = getattr(statement, "plan", None)
        plans = sorted({*changed, *([plan] if plan else [])}) if changed else [plan] if plan else []
        folded = Folded(self.size, envelope, statement, plans, signer.record, relayed)
        self.size += 1
        return folded

    def key_of(self, key: str) -> KeyRecord | None:
        return self.keys.keys.get(key)

    def next_seq(self, party: str) -> int:
        return self.state.last_seq.get(party, 0) + 1

    def _apply_key_statement(self, envelope: Envelope) -> Folded:
        """Key statements are checked like any other statement (strict shape, no plan, time not behind
        the log beyond the skew) and numbered in their party's sequence."""
        check_time(self.state, parse_key_statement(envelope.statement).seconds())
        party, seq = envelope.party, envelope.statement.get("seq")
        if party not in self.state.parties:
            raise refuse("party.unknown", f"no party {party!r} is registered")
        expected = self.next_seq(party)
        if seq != expected:
            code = "seq.duplicate" if isinstance(seq, int) and seq < expected else "seq.gap"
            raise refuse(code, f"{party}'s next statement is #{expected}, not #{seq}")
        payload = envelope.statement.get("payload")
        subject = payload.get("party") if isinstance(payload, dict) else None
        if envelope.statement["type"] == "key.register" and subject not in self.state.parties:
            raise refuse("party.unknown", f"register party {subject!r} before registering its key")
        signer = self.keys.check(self.size, envelope)
        self.state.last_seq[party] = expected
        folded = Folded(self.size, envelope, None, signer=signer)
        self.size += 1
        return folded
