"""What only the log settles about a permit, checked against a verified copy of the log's entries.

Offline, an officer trusts the permit key. With the log (`corridor permit audit PERMIT SOURCE`), anyone can
check what the key alone cannot: that the permit was recorded (a leaked key could sign permits the log never
saw), that the consents it names are on the log and name its version, that it was issued against this log
(its checkpoint's root), and whether it was revoked since."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..ledger.envelope import EnvelopeError, unseal
from ..ledger.merkle import leaf_hash, root_of
from .document import Permit

# code → what it means; stable like errors.CODES
AUDIT_CODES: dict[str, str] = {
    "permit.not_on_log": "no permit.issue on the log carries this permit's digest: forged with a leaked key",
    "permit.mismatch": "the permit.issue with this digest names another plan, leg, vehicle, version or id",
    "permit.log_fork": "the log checkpoint the permit names is not this log's at that size",
    "permit.log_behind": "the copy of the log read is older than the checkpoint the permit names",
    "permit.consents_invalid": "a consent index it names is not a consent to its version or a confirmation",
    "permit.revoked": "revoked on the log",
}
CONSENT_TYPES = ("plan.consent", "slot.confirm")


@dataclass
class Settled:
    issued_index: int | None = None
    revoked_index: int | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def settle(permit: Permit, digest: str, entries: Sequence[bytes]) -> Settled:
    """Check `permit` (whose signed bytes hash to `digest`) against the log's entries, index by index."""
    result = Settled()
    _check_checkpoint(permit, entries, result)
    statements = {}
    for index, entry in enumerate(entries):
        statement = _statement(entry)
        if statement is not None and statement.get("plan") == permit.plan:
            statements[index] = statement
    for index, statement in statements.items():
        payload = statement.get("payload", {})
        if statement["type"] == "permit.issue" and payload.get("digest") == digest:
            result.issued_index = index
            _check_issue(permit, payload, index, result)
        elif statement["type"] == "permit.revoke" and payload.get("permit") == permit.id:
            result.revoked_index = index
            result.problems.append(("permit.revoked", f"revoked at log entry {index} ({payload.get('reason')})"))
    if result.issued_index is None:
        result.problems.insert(0, ("permit.not_on_log", AUDIT_CODES["permit.not_on_log"]))
    _check_consents(permit, statements, len(entries), result)
    return result


def _statement(entry: bytes) -> dict | None:
    try:
        return unseal(entry).statement
    except EnvelopeError:
        return None


def _check_checkpoint(permit: Permit, entries: Sequence[bytes], result: Settled) -> None:
    if permit.log_size > len(entries):
        result.problems.append(("permit.log_behind", f"the permit names size {permit.log_size}, the copy read "
                                                     f"has {len(entries)} entries"))
    elif root_of([leaf_hash(entry) for entry in entries[:permit.log_size]]) != permit.log_root:
        result.problems.append(("permit.log_fork", f"the root at size {permit.log_size} differs"))


def _check_issue(permit: Permit, payload: dict, index: int, result: Settled) -> None:
    named = (payload.get("permit"), payload.get("leg"), payload.get("vehicle"), payload.get("version"))
    if named != (permit.id, permit.leg, permit.vehicle, permit.version):
        result.problems.append(("permit.mismatch", f"log entry {index} names {named}"))


def _check_consents(permit: Permit, statements: dict[int, dict], size: int, result: Settled) -> None:
    consenting, confirming = set(), set()
    for index in permit.consents:
        statement = statements.get(index) if index < size else None
        kind = statement["type"] if statement else None
        if kind not in CONSENT_TYPES or (kind == "plan.consent"
                                         and statement["payload"].get("version") != permit.version):
            result.problems.append(("permit.consents_invalid", f"log entry {index}"))
            continue
        (consenting if kind == "plan.consent" else confirming).add(statement["party"])
    if consenting != confirming:
        result.problems.append(("permit.consents_invalid", f"consents from {sorted(consenting)}, slot "
                                                           f"confirmations from {sorted(confirming)}"))
