"""What became of a statement signed offline (engine/rules/offline.py keeps it in `State.offline`), as the
checkpoint app's answer, the plan page's timeline and `GET /api/v1/plans/{id}` show it: which statement, signed
when (the device's clock) and received when (the relay's time), applied or not, and why not."""

from __future__ import annotations

from typing import Any

import msgspec

from ...engine.rules.offline import LATE
from ...engine.state import OfflineRecord, State
from ...engine.times import format_time
from ..ledger.models import StatementIndex

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


def relay_record(row: StatementIndex, state: State) -> OfflineRecord | None:
    """What the rules made of the statement a relay's row carries: kept on the row (`offline_outcome`) when it
    was recorded, since the fold forgets it 72 hours later (engine/rules/offline.py); a row written before that
    column (until `corridor rebuild`) falls back to the fold. None for any other row."""
    if row.type != RELAY:
        return None
    if row.offline_outcome is not None:
        return msgspec.convert(row.offline_outcome, OfflineRecord)
    return state.offline.get(row.subject or "")


def with_outcome(row: dict[str, Any], statement: StatementIndex, state: State) -> dict[str, Any]:
    """A timeline row (signatures.statement_row) with `offline`, the outcome, when it is a relay (its subject
    is the offline id: ledger/projection.subject_of)."""
    record = relay_record(statement, state)
    return row if record is None else row | {"offline": outcome(statement.subject, record)}
