"""Read models of the registry: parties, routes and keys, as the log registered them."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import msgspec

from ...engine.times import parse_time
from ...fold import Folded, LogFold
from ...ledger.envelope import key_id
from .models import Party, PartyKey, Route


def project_registry(folded: Folded, fold: LogFold, private: object) -> None:
    handler = _HANDLERS.get(folded.type)
    if handler is not None:
        handler(folded, fold, private)


def _when(folded: Folded) -> datetime:
    """The statement's own time (what `rebuild` reads back from the statement index)."""
    return datetime.fromtimestamp(parse_time(folded.envelope.statement["time"]), UTC)


def _party(folded: Folded, fold: LogFold, private: object) -> None:
    party = folded.statement.payload
    Party.objects.update_or_create(id=party.id, defaults={"name": party.name, "kind": party.kind,
                                                          "registered_at": _when(folded)})


def _route(folded: Folded, fold: LogFold, private: object) -> None:
    route = folded.statement.payload
    Route.objects.update_or_create(id=route.id, defaults={"name": route.name, "defined_at": _when(folded),
                                                          "definition": msgspec.to_builtins(route)})


def _key_register(folded: Folded, fold: LogFold, private: object) -> None:
    payload = folded.envelope.statement["payload"]
    public = base64.b64decode(payload["public"])
    PartyKey.objects.create(key_id=key_id(public), party_id=payload["party"], public=public,
                            registered_at=folded.index, sealed_private=private if isinstance(private, bytes) else None)


def _key_rotate(folded: Folded, fold: LogFold, private: object) -> None:
    public = base64.b64decode(folded.envelope.statement["payload"]["public"])
    PartyKey.objects.filter(key_id=folded.envelope.key).update(revoked_at=folded.index)
    PartyKey.objects.create(key_id=key_id(public), party_id=folded.envelope.party, public=public,
                            registered_at=folded.index, sealed_private=private if isinstance(private, bytes) else None)


def _key_revoke(folded: Folded, fold: LogFold, private: object) -> None:
    target = folded.envelope.statement["payload"]["key"]
    # a revoked key signs nothing more: the server stops holding its private half (ending custody is a revocation)
    PartyKey.objects.filter(key_id=target, revoked_at__isnull=True).update(revoked_at=folded.index,
                                                                          sealed_private=None)


_HANDLERS = {"party.register": _party, "route.define": _route, "key.register": _key_register,
             "key.rotate": _key_rotate, "key.revoke": _key_revoke}
