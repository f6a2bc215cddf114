"""Read models of passages, written from the engine's state of each plan an entry changed.

`plan_rows` turns one plan's state into unsaved rows; the incremental path (`write_plan`, once per
recording transaction for each plan its statements changed) replaces the plan's rows with them, and
`rebuild` bulk-inserts them for every plan. One builder, so both give the same rows (tests hold them equal).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import msgspec
from django.db import connection

from ...engine.state import PlanState, State
from ...fold import Folded, LogFold
from ...privacy import Private
from .models import (
    Attestation,
    AttestedLine,
    Clock,
    CrewMember,
    Inspection,
    Leg,
    ManifestLine,
    Plan,
    Position,
    SlotWindow,
    Vehicle,
    VehiclePlate,
)


def project_passages(folded: Folded, fold: LogFold, private: object) -> None:
    from ..ledger.record import at_flush, defer_insert

    for plan_id in folded.plans:
        # once per transaction, from the plan's state after its last statement (a batch of notes on one
        # plan writes its row once); nothing in the transaction reads these rows back before then
        at_flush(("plan", plan_id), lambda plan_id=plan_id: write_plan(fold.state.plans[plan_id]))
    if isinstance(private, Private) and private and folded.statement is not None and folded.statement.plan:
        write_private(folded.statement.plan, private)
    if folded.type == "passage.attest":
        rows, lines = attestation_rows([fold.state.attestations[folded.statement.payload.passage]])
        defer_insert(*rows, *lines)


def at(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


# A plan's rows are built as plain tuples, not model objects: `rebuild` writes millions of them (building a
# Django model object cost more than everything else in a row), and the live path turns the few it saves
# into objects. Each table's tuple holds its columns in `columns(model)` order.

@functools.cache
def columns(model: type) -> tuple[str, ...]:
    """The attribute names a row tuple of `model` holds, in order: every concrete field but a surrogate id
    (given by the database, or by `rebuild`) and the leg a row hangs off (known once the legs have ids)."""
    return tuple(f.attname for f in model._meta.concrete_fields
                 if not (f.primary_key and f.auto_created) and f.related_model is not Leg)


LEG_CHILDREN = (ManifestLine, Vehicle, Inspection)  # the rows under a leg, in the order they are digested


@dataclass
class PlanRows:
    plan: tuple
    legs: list[tuple] = field(default_factory=list)
    # for each leg (legs' order), the rows that hang off it: its ManifestLine, Vehicle, Inspection rows
    leg_children: list[tuple[list[tuple], list[tuple], list[tuple]]] = field(default_factory=list)
    positions: list[tuple] = field(default_factory=list)
    clocks: list[tuple] = field(default_factory=list)

    def value(self, name: str):
        return self.plan[columns(Plan).index(name)]


PARTS = ("legs", "positions", "clocks")


def write_plan(plan: PlanState) -> None:
    """Rewrite the parts of one plan's rows that changed (each part's digest is kept on the plan row, so
    a note rewrites one row, a consent its positions and clocks). Its private records (crew, windows,
    plates), kept by plan id, stay."""
    rows = plan_rows(plan)
    stored = _stored_digests(plan.id)
    changed = {part for n, part in enumerate(PARTS)
               if stored is None or stored[n] != rows.value(f"{part}_digest")}
    for part, model in zip(PARTS, (Leg, Position, Clock), strict=True):
        if part in changed:
            model.objects.filter(plan_id=plan.id).delete()
    if stored is None:
        objects(Plan, [rows.plan])[0].save(force_insert=True)
    else:
        _update(rows.plan)
    if "positions" in changed:
        Position.objects.bulk_create(objects(Position, rows.positions))
    if "clocks" in changed:
        Clock.objects.bulk_create(objects(Clock, rows.clocks))
    if "legs" in changed:
        _save_legs(rows)


def objects(model: type, rows: list[tuple], **common) -> list:
    """Unsaved model objects of row tuples (`columns(model)` order), with `common` values set on each."""
    names = columns(model)
    return [model(**dict(zip(names, row, strict=True)), **common) for row in rows]


# The plan row is read and rewritten for every statement about the plan: its two statements are built once
# per process, not by the ORM each time (building them cost more than running them).

def _stored_digests(plan_id: str) -> tuple | None:
    """The digests on the plan's row as stored (None: no row yet): read with the writer lock for the plans the
    batch names (`digests_read_with_lock`), each handed over once; on its own otherwise."""
    from ..ledger.record import recording, transaction_memo

    read_with_lock = transaction_memo(DIGESTS, _digests_read_with_lock) if recording() else {}
    if plan_id in read_with_lock:
        return read_with_lock.pop(plan_id)
    with connection.cursor() as cursor:
        cursor.execute(_digests_sql(1), [plan_id])
        row = cursor.fetchone()
    return None if row is None else row[1:]


DIGESTS = "plan-digests"


def digests_read_with_lock(plans: list[str]) -> tuple[str, list] | None:
    """The stored digests of the batch's plans, sent with the writer lock (record.read_with_writer_lock)."""
    return (_digests_sql(len(plans)), plans) if plans else None


def _digests_read_with_lock() -> dict[str, tuple | None]:
    from ..ledger.record import plans_read_with_lock, rows_read_with_lock

    rows = rows_read_with_lock(DIGESTS)
    if rows is None:
        return {}
    return dict.fromkeys(plans_read_with_lock()) | {row[0]: tuple(row[1:]) for row in rows}


@functools.cache
def _digests_sql(plans: int) -> str:
    quote = connection.ops.quote_name
    selected = ", ".join(quote(column) for column in (Plan._meta.pk.column, *(f"{part}_digest" for part in PARTS)))
    placeholders = ", ".join(["%s"] * plans)
    return (f"SELECT {selected} FROM {quote(Plan._meta.db_table)} "
            f"WHERE {quote(Plan._meta.pk.column)} IN ({placeholders})")


def _update(row: tuple) -> None:
    """UPDATE the plan row (`columns(Plan)` order, its id first) with every other column's value, sent with
    the transaction's other writes at its end (nothing reads the row back before)."""
    from ..ledger.record import defer_write

    values = dict(zip(columns(Plan), row, strict=True))
    defer_write(_update_sql(), [*prepared_plan_values(values), values["id"]])


def prepared_plan_values(values: dict) -> list:
    """The plan row's values as the database takes them, in `_plan_fields()` order: Django's own preparation,
    but for the values of a type whose preparation is known (it runs under the writer lock for every batch:
    54 µs a plan through Django alone; ledger/record.py `prepared_by_type`). tests/service/passages/
    test_projection.py holds the two equal on each database."""
    prepared = []
    for column, prepare, by_type in _plan_preparation(connection.vendor):
        value = values[column]
        prepared.append(by_type[type(value)](value) if type(value) in by_type else prepare(value, connection))
    return prepared


@functools.cache
def _plan_preparation(vendor: str) -> list[tuple]:
    from ..ledger.record import prepared_by_type

    return [(f.attname, f.get_db_prep_save, prepared_by_type(f, vendor)) for f in _plan_fields()]


def _plan_fields() -> list:
    return [field for field in Plan._meta.concrete_fields if not field.primary_key]


@functools.cache
def _update_sql() -> str:
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in _plan_fields())
    return f"UPDATE {quote(Plan._meta.db_table)} SET {assignments} WHERE {quote(Plan._meta.pk.column)} = %s"


def _save_legs(rows: PlanRows) -> None:
    legs = Leg.objects.bulk_create(objects(Leg, rows.legs))
    for model, n in zip(LEG_CHILDREN, range(3), strict=True):
        model.objects.bulk_create([item for leg, children in zip(legs, rows.leg_children, strict=True)
                                   for item in objects(model, children[n], leg=leg)])


def _digest(rows: list[tuple]) -> str:
    """A digest of rows' values (not their ids): equal digests, equal rows. The same as it was of model
    objects (the repr of each column's value, surrogate ids and the leg left out), so stored digests hold."""
    return hashlib.sha256(repr([[repr(value) for value in row] for row in rows]).encode()).hexdigest()[:32]


def plan_rows(plan: PlanState) -> PlanRows:
    content, slot = plan.content, plan.slot
    refused = _refused_lines(plan)
    legs, leg_children = [], []
    for leg in content.legs:
        row, children = _leg_rows(plan, leg, plan.legs[leg.id], refused)
        legs.append(row)
        leg_children.append(children)
    positions = [(plan.id, party, list(plan.required.get(party, ())), position.stance, at(position.at),
                  position.reason, position.text)
                 for party, position in sorted(plan.positions.items())]
    clocks = [(plan.id, party, plan.waited.get(party, 0), at(plan.waiting_since.get(party)))
              for party in sorted(set(plan.waited) | set(plan.waiting_since))]
    digested_legs = [*legs, *(row for children in leg_children for rows in children for row in rows)]
    row = (plan.id, plan.requester, content.linkage, plan.status, plan.version, content.tolerance_seconds,
           at(plan.submitted_at), at(plan.expires_at), at(plan.closed_at), at(_cleared_at(plan)), plan.amendments,
           at(slot.start if slot else None), at(slot.end if slot else None), slot.window if slot else "",
           revealed(plan), sum(line.weight_kg for leg in content.legs for line in leg.lines),
           sum(len(leg.vehicles) for leg in content.legs), at(last_change(plan)),
           _digest(digested_legs), _digest(positions), _digest(clocks))
    return PlanRows(row, legs, leg_children, positions, clocks)


def last_change(plan: PlanState) -> int:
    """The latest moment the plan's state records (derived from the state, so a rebuild gives the same)."""
    times = [plan.submitted_at, plan.closed_at or 0, *plan.waiting_since.values()]
    # notes are kept in the order they were made, each at the fold's clock, which never goes back (engine
    # `apply`): the last is the latest. Not a scan of every note: that grew with the plan on each write.
    times += [p.at or 0 for p in plan.positions.values()] + [plan.notes[-1].at if plan.notes else 0]
    times += [plan.slot.proposed_at] if plan.slot else []
    for leg in plan.legs.values():
        times += [t for t, _ in leg.arrivals] + [t for t, _, _ in leg.inspections]
        times += [leg.released_at or 0, leg.departed_at or 0, leg.delivered_at or 0]
    return max(times)


def _cleared_at(plan: PlanState) -> int | None:
    """When the last required consent to the current version came, once every required party consents."""
    times = [p.at for p in plan.positions.values() if p.stance == "consented"]
    return max(times) if times and len(times) == len(plan.positions) else None


def _refused_lines(plan: PlanState) -> dict[tuple[str, str], list[str]]:
    refused: dict[tuple[str, str], list[str]] = {}
    for party, position in plan.positions.items():
        for leg_id, line_id in position.lines:
            refused.setdefault((leg_id, line_id), []).append(party)
    return refused


def _leg_rows(plan: PlanState, leg, live, refused) -> tuple[tuple, tuple[list, list, list]]:
    row = (plan.id, leg.id, leg.route, leg.direction, live.phase, live.checkpoint,
           at(live.arrivals[0][0] if live.arrivals else None), at(live.released_at), at(live.departed_at),
           at(live.delivered_at), sum(line.weight_kg for line in leg.lines), list(leg.seals),
           leg.crew_commitments(), at(plan.submitted_at))
    receipts = {receipt.line: receipt for receipt in live.receipts}
    lines = [_line(line, live, receipts.get(line.id), refused.get((leg.id, line.id), [])) for line in leg.lines]
    plates = {p.vehicle: p.plate for p in plan.plates if p.leg == leg.id}
    vehicles = [(v.id, plates.get(v.id, ""), v.plate, v.type) for v in leg.vehicles]
    inspections = [(at(moment), party, report.checkpoint, report.decision, msgspec.to_builtins(report))
                   for moment, party, report in live.inspections]
    return row, (lines, vehicles, inspections)


def _line(line, live, receipt, refused_by: list[str]) -> tuple:
    return (line.id, line.item, line.category, line.quantity, line.unit, line.weight_kg,
            live.carried.get(line.id, 0), sorted(refused_by), receipt.good if receipt else None,
            receipt.damaged if receipt else None, receipt.lost if receipt else None)


def write_private(plan_id: str, private: Private) -> None:
    """Keep a statement's clear values beside it (never in it)."""
    for leg_id, members in private.crew.items():
        known = set(CrewMember.objects.filter(plan_id=plan_id, leg_id=leg_id).values_list("commitment", flat=True))
        CrewMember.objects.bulk_create([CrewMember(plan_id=plan_id, leg_id=leg_id, **m) for m in members
                                        if m["commitment"] not in known])
    if private.window:
        window = private.window
        SlotWindow.objects.get_or_create(plan_id=plan_id, commitment=window["commitment"], defaults={
            "slot_id": window["slot"], "start": window["start"], "end": window["end"], "salt": window["salt"]})
    for plate in private.plates:
        VehiclePlate.objects.get_or_create(plan_id=plan_id, commitment=plate["commitment"], defaults={
            "leg_id": plate["leg"], "vehicle_id": plate["vehicle"], "plate": plate["plate"], "salt": plate["salt"]})


def revealed(plan: PlanState) -> dict:
    """What the requester revealed on the log (public, with the salts, so anyone can check)."""
    out: dict = {}
    if plan.slot is not None and plan.slot.revealed is not None:
        out["window"] = msgspec.to_builtins(plan.slot.revealed) | {"commitment": plan.slot.window}
    if plan.plates:
        commitments = {(leg.id, v.id): v.plate for leg in plan.content.legs for v in leg.vehicles}
        out["plates"] = [msgspec.to_builtins(p) | {"commitment": commitments.get((p.leg, p.vehicle), "")}
                         for p in plan.plates]
    return out


def attestation_rows(records) -> tuple[list[Attestation], list[AttestedLine]]:
    rows, lines = [], []
    for record in records:
        claim = record.claim
        row = Attestation(
            passage=claim.passage, source_id=record.source, dataset=claim.dataset, reference=claim.reference,
            crossing=claim.crossing, carrier=claim.carrier, origin=claim.origin, departed=_day(claim.departed),
            cleared=_day(claim.cleared), received=_day(claim.received), attested_at=at(record.attested_at),
            weight_kg=attested_weight(claim.lines),
        )
        rows.append(row)
        lines += [AttestedLine(attestation=row, item=line.item, category=line.category, quantity=line.quantity,
                               unit=line.unit, weight_kg=line.weight_kg, destination=line.destination,
                               published=line.published)
                  for line in claim.lines]
    return rows, lines


def attested_weight(lines) -> int | None:
    """A passage's weight is known when every line's is: a partial sum would pass for the whole."""
    weights = [line.weight_kg for line in lines]
    return None if None in weights else sum(weights)


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


__all__ = ["State"]
