"""Each entry's statement in columns (`log_statement`), for timelines, lookups and proofs by statement."""

from __future__ import annotations

from ...engine.times import parse_time
from ...fold import Folded, LogFold
from .models import StatementIndex


def project_statement(folded: Folded, fold: LogFold, private: object) -> None:
    from .record import defer_insert

    defer_insert(StatementIndex(**statement_columns(folded)))


def statement_columns(folded: Folded) -> dict:
    from ..passages.projection import at

    raw = folded.envelope.statement
    payload = raw.get("payload") if isinstance(raw.get("payload"), dict) else {}
    subject = payload.get("incident") or payload.get("passage") or payload.get("party") or payload.get("id")
    return dict(idx=folded.index, type=raw["type"], party=raw["party"], seq=raw["seq"],
                time=at(parse_time(raw["time"])), plan=raw.get("plan"), subject=subject)
