"""What became of a statement signed offline (engine/rules/offline.py keeps it in `State.offline`), as the
checkpoint app's answer, the plan page's timeline and `GET /api/v1/plans/{id}` show it: which statement, signed
when (the device's clock) and received when (the relay's time), applied or not, and why not."""

from __future__ import annotations

from typing import Any

from ...engine.rules.offline import LATE
from ...engine.state import OfflineRecord, State
from ...engine.times import format_time

RELAY = "offline.relay"


def outcome(mark: str, record: OfflineRecord) -> dict[str, Any]:
    """`code`, `rule` and `reason` (the engine's words, English) only when it took no effect."""
    body: dict[str, Any] = {"offline": mark, "type": record.type, "party": record.party, "plan": record.plan,
                            "applied": record.code is None, "signed": format_time(record.signed),
                            "received": format_time(record.received)}
    if record.code is not None:
        body |= {"code": record.code, "description": LATE.get(record.code, ""), "rule": record.rule,
                 "reason": record.reason}
    return body


def with_outcome(row: dict[str, Any], subject: str | None, state: State) -> dict[str, Any]:
    """A timeline row (signatures.statement_row) with `offline`, the outcome, when it is a relay (its subject
    is the offline id: ledger/projection.subject_of)."""
    record = state.offline.get(subject or "") if row["type"] == RELAY else None
    return row if record is None else row | {"offline": outcome(subject, record)}
