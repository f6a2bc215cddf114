"""Each entry's statement in columns (`log_statement`), for timelines, lookups and proofs by statement."""

from __future__ import annotations

import msgspec

from ...engine.times import parse_time
from ...fold import Folded, LogFold
from ...ledger.keys import signing_kind
from .models import StatementIndex


def project_statement(folded: Folded, fold: LogFold, private: object) -> None:
    from .record import defer_insert

    defer_insert(StatementIndex(**statement_columns(folded, fold)))


def statement_columns(folded: Folded, fold: LogFold) -> dict:
    from ..passages.projection import at

    raw = folded.envelope.statement
    return dict(idx=folded.index, type=raw["type"], party=raw["party"], seq=raw["seq"],
                time=at(parse_time(raw["time"])), plan=raw.get("plan"), subject=subject_of(raw, fold),
                **signer_columns(folded, fold), **offline_columns(raw, fold))


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
    record = folded.signer or fold.key_of(folded.envelope.key)
    kind = signing_kind(record)
    return {"signed_by": kind, "member": record.member if kind == "passkey" else None}


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
