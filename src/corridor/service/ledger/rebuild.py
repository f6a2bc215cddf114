"""`corridor rebuild`: drop every read model and fold the whole log again.

Private values that are not on the log (custodial keys, crew in clear) are kept across the rebuild: they
are attached again to the rows the log recreates. Notifications are not re-sent.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from django.db import transaction

from ...fold import LogFold
from ..guard import domain_writes
from ..incidents.models import Dispute, Incident
from ..incidents.projection import write_incident
from ..parties.models import Party, PartyKey, Route
from ..passages.models import (
    Attestation,
    AttestedLine,
    Clock,
    CrewMember,
    Inspection,
    Leg,
    ManifestLine,
    Plan,
    Position,
    Vehicle,
)
from ..passages.projection import write_attestation, write_plan
from .keys import OPERATOR, operator_public
from .models import LogEntry, StatementIndex
from .projection import statement_columns
from .record import _drop_fold, _take_writer_lock

READ_MODELS = [StatementIndex, Dispute, Incident, AttestedLine, Attestation, Inspection, Vehicle, ManifestLine,
               CrewMember, Clock, Position, Leg, Plan, Route, PartyKey, Party]


def rebuild(progress: Callable[[int], None] = lambda n: None) -> int:
    with transaction.atomic(), domain_writes():
        _take_writer_lock()
        keys = dict(PartyKey.objects.exclude(sealed_private=None).values_list("key_id", "sealed_private"))
        crew = list(CrewMember.objects.values("leg__plan_id", "leg__leg_id", "commitment", "name", "document",
                                              "salt"))
        for model in READ_MODELS:
            model.objects.all().delete()
        fold = _fold_all(progress)
        _write_all(fold, keys, crew)
    _drop_fold()
    return fold.size


def _fold_all(progress) -> LogFold:
    fold, batch = LogFold(OPERATOR, operator_public()), []
    for index, data in LogEntry.objects.order_by("idx").values_list("idx", "data").iterator(chunk_size=5000):
        folded = fold.apply_entry(bytes(data))
        batch.append(StatementIndex(**statement_columns(folded)))
        if len(batch) == 5000:
            StatementIndex.objects.bulk_create(batch)
            batch = []
            progress(index + 1)
    StatementIndex.objects.bulk_create(batch)
    return fold


def _write_all(fold: LogFold, keys: dict, crew: list[dict]) -> None:
    state = fold.state
    registered = _last_times("party.register")
    Party.objects.bulk_create([Party(id=p.id, name=p.name, kind=p.kind, registered_at=registered[p.id])
                               for p in state.parties.values() if p.id in registered])
    defined = _last_times("route.define")
    Route.objects.bulk_create([Route(id=r.id, name=r.name, definition=msgspec.to_builtins(r), defined_at=defined[r.id])
                               for r in state.routes.values()])
    PartyKey.objects.bulk_create([
        PartyKey(key_id=k.key, party_id=k.party, public=k.public, registered_at=k.valid_after, revoked_at=k.revoked_at,
                 sealed_private=keys.get(k.key))
        for k in fold.keys.keys.values() if not k.registrar
    ])
    for plan in state.plans.values():
        write_plan(plan, state)
    for incident_id in state.incidents:
        write_incident(fold, incident_id)
    for passage in state.attestations:
        write_attestation(state, passage)
    _restore_crew(crew)


def _last_times(kind: str) -> dict:
    """When each subject (party, route) was last registered or defined, from the statement index."""
    return dict(StatementIndex.objects.filter(type=kind).order_by("idx").values_list("subject", "time"))


def _restore_crew(crew: list[dict]) -> None:
    legs = {(leg.plan_id, leg.leg_id): leg for leg in Leg.objects.all()}
    CrewMember.objects.bulk_create([
        CrewMember(leg=legs[(c["leg__plan_id"], c["leg__leg_id"])], commitment=c["commitment"], name=c["name"],
                   document=c["document"], salt=c["salt"])
        for c in crew if (c["leg__plan_id"], c["leg__leg_id"]) in legs
        and c["commitment"] in legs[(c["leg__plan_id"], c["leg__leg_id"])].crew_commitments
    ])
