"""Each entry's statement in columns (`log_statement`), for timelines, lookups and proofs by statement."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from ...engine.times import parse_time
from ...fold import Folded, LogFold
from ...ledger.keys import signing_kind
from .models import StatementIndex


def project_statement(folded: Folded, fold: LogFold, private: object) -> None:
    from .record import defer_insert

    defer_insert(StatementIndex(**statement_columns(folded, fold)))


INDEX_COLUMNS = ("idx", "type", "party", "seq", "time", "plan", "subject", "signed_by", "member", "offline_party",
                 "offline_member", "offline_outcome")
_NOT_RELAYED = (None, None, None)


def statement_columns(folded: Folded, fold: LogFold) -> dict:
    return dict(zip(INDEX_COLUMNS, statement_row(folded, fold), strict=True))


def statement_row(folded: Folded, fold: LogFold) -> tuple:
    """The entry's index row, its values in INDEX_COLUMNS' order: `rebuild` writes a million of these as
    they are, recording makes each a model object (`statement_columns`)."""
    raw = folded.envelope.statement
    offline = _NOT_RELAYED if raw["type"] != "offline.relay" else tuple(offline_columns(raw, fold).values())
    return (folded.index, raw["type"], raw["party"], raw["seq"], datetime.fromtimestamp(parse_time(raw["time"]), UTC),
            raw.get("plan"), subject_of(raw, fold), *signer_values(folded, fold), *offline)


def subject_of(statement: dict, fold: LogFold) -> str | None:
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
    record = folded.signer or fold.key_of(folded.envelope.key)
    kind = signing_kind(record)
    return kind, record.member if kind == "passkey" else None


def offline_columns(statement: dict, fold: LogFold) -> dict:
    """For an offline.relay (the operator's entry): the party in whose name the statement it carries was signed
    offline, the member whose passkey signed it (the fold has checked that passkey, bound to that party, at
    the relay's index: ledger/relay.py), and the outcome the rules just gave it (the fold keeps it only 72 hours:
    engine/rules/offline.py); all None for any other entry."""
    if statement["type"] != "offline.relay":
        return {"offline_party": None, "offline_member": None, "offline_outcome": None}
    inner = statement["payload"]["statement"]
    record = fold.key_of(inner["key"])
    return {"offline_party": inner["party"], "offline_member": record.member if record is not None else None,
            "offline_outcome": msgspec.to_builtins(fold.state.offline[inner["offline"]["id"]])}
