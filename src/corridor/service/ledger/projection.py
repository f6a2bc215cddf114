"""Each entry's statement in columns (`log_statement`), for timelines, lookups and proofs by statement."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

import msgspec

from ...engine.times import parse_time
from ...fold import Folded, LogFold
from ...ledger.keys import KeyRecord, signing_kind
from .models import StatementIndex


def project_statement(folded: Folded, fold: LogFold, private: object) -> None:
    from .record import defer_values

    defer_values(StatementIndex, INDEX_COLUMNS, statement_row(folded, fold))


INDEX_COLUMNS = ("idx", "type", "party", "seq", "time", "plan", "subject", "signed_by", "member", "offline_party",
                 "offline_member", "offline_outcome")
_NOT_RELAYED = (None, None, None)


def statement_columns(folded: Folded, fold: LogFold) -> dict:
    return dict(zip(INDEX_COLUMNS, statement_row(folded, fold), strict=True))


def statement_row(folded: Folded, fold: LogFold) -> tuple:
    """The entry's index row, its values in INDEX_COLUMNS' order: `rebuild` writes a million of these as
    they are, and so does recording (`project_statement`)."""
    statement = folded.envelope.statement
    return index_row(folded.index, statement, fold, relay_outcome(statement, fold))


class KnownKeys(Protocol):
    def key_of(self, key: str) -> KeyRecord | None: ...


def index_row(index: int, statement: dict, keys: KnownKeys, outcome: dict | None) -> tuple:
    """`statement_row` from what it needs of the fold: its keys (`keys.key_of`) and an offline.relay's
    outcome (`relay_outcome`, taken when the relay was applied). A key's party, kind, custody and member never
    change once registered, and the fold refuses any entry naming a key not yet valid, so any later view of
    the keys gives the same row: the rebuild builds these beside the fold from the keys it sends along
    (ledger/index_beside.py)."""
    offline = _NOT_RELAYED if statement["type"] != "offline.relay" else \
        _offline_values(statement, keys.key_of(statement["payload"]["statement"]["key"]), outcome)
    return (index, statement["type"], statement["party"], statement["seq"],
            datetime.fromtimestamp(parse_time(statement["time"]), UTC), statement.get("plan"),
            subject_of(statement, keys), *_signer_values(keys.key_of(statement["key"])), *offline)


def subject_of(statement: dict, fold: KnownKeys) -> str | None:
    """What the statement is about: an incident, a passage, a party (the one registered, or whose key is
    registered or revoked: a key.revoke names only the key, whose party the fold knows), a route, or the offline id
    of a statement signed offline that a relay carries."""
    payload = statement.get("payload") if isinstance(statement.get("payload"), dict) else {}
    if statement["type"] == "offline.relay":  # its offline id (engine/rules/offline.py)
        return payload["statement"]["offline"]["id"]
    if statement["type"] == "key.revoke":
        record = fold.key_of(str(payload.get("key", "")))
        return None if record is None else record.party
    return payload.get("incident") or payload.get("passage") or payload.get("party") or payload.get("id")


def signer_columns(folded: Folded, fold: LogFold) -> dict:
    """How the entry was signed: from the key that signed it, as the fold applied it (a key's kind, custody
    and member never change; only its revocation does, which a later entry records)."""
    signed_by, member = signer_values(folded, fold)
    return {"signed_by": signed_by, "member": member}


def signer_values(folded: Folded, fold: LogFold) -> tuple[str, str | None]:
    """`signer_columns`' values, in that order."""
    return _signer_values(folded.signer or fold.key_of(folded.envelope.key))


def _signer_values(record: KeyRecord) -> tuple[str, str | None]:
    kind = signing_kind(record)
    return kind, record.member if kind == "passkey" else None


def relay_outcome(statement: dict, fold: LogFold) -> dict | None:
    """What the rules made of the statement an offline.relay carries, as the fold has it right after applying
    the relay (it keeps it only 72 hours: engine/rules/offline.py); None for any other entry."""
    if statement["type"] != "offline.relay":
        return None
    return msgspec.to_builtins(fold.state.offline[statement["payload"]["statement"]["offline"]["id"]])


def _offline_values(statement: dict, record: KeyRecord | None, outcome: dict | None) -> tuple:
    return (statement["payload"]["statement"]["party"], record.member if record is not None else None, outcome)
