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


@dataclass
class PlanRows:
    plan: Plan
    legs: list[Leg] = field(default_factory=list)
    # rows that hang off a leg, saved once the legs have their ids
    leg_children: list[tuple[Leg, list]] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    clocks: list[Clock] = field(default_factory=list)


PARTS = ("legs", "positions", "clocks")


def write_plan(plan: PlanState) -> None:
    """Rewrite the parts of one plan's rows that changed (each part's digest is kept on the plan row, so
    a note rewrites one row, a consent its positions and clocks). Its private records (crew, windows,
    plates), kept by plan id, stay."""
    rows = plan_rows(plan)
    stored = _stored_digests(plan.id)
    changed = {part for n, part in enumerate(PARTS) if stored is None or stored[n] != _digest_of(rows.plan, part)}
    for part, model in zip(PARTS, (Leg, Position, Clock), strict=True):
        if part in changed:
            model.objects.filter(plan_id=plan.id).delete()
    if stored is None:
        rows.plan.save(force_insert=True)
    else:
        _update(rows.plan)
    if "positions" in changed:
        Position.objects.bulk_create(rows.positions)
    if "clocks" in changed:
        Clock.objects.bulk_create(rows.clocks)
    if "legs" in changed:
        _save_legs(rows)


# The plan row is read and rewritten for every statement about the plan: its two statements are built once
# per process, not by the ORM each time (building them cost more than running them).

def _stored_digests(plan_id: str) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(_digests_sql(), [plan_id])
        return cursor.fetchone()


@functools.cache
def _digests_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f"{part}_digest") for part in PARTS)
    return f"SELECT {columns} FROM {quote(Plan._meta.db_table)} WHERE {quote(Plan._meta.pk.column)} = %s"


def _update(plan: Plan) -> None:
    fields = _plan_fields()
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(), [*(field.get_db_prep_save(field.pre_save(plan, False), connection)
                                         for field in fields), plan.pk])


def _plan_fields() -> list:
    return [field for field in Plan._meta.concrete_fields if not field.primary_key]


@functools.cache
def _update_sql() -> str:
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in _plan_fields())
    return f"UPDATE {quote(Plan._meta.db_table)} SET {assignments} WHERE {quote(Plan._meta.pk.column)} = %s"


def _save_legs(rows: PlanRows) -> None:
    Leg.objects.bulk_create(rows.legs)
    children: dict[type, list] = {}
    for leg, items in rows.leg_children:
        for item in items:
            item.leg = leg
            children.setdefault(type(item), []).append(item)
    for model in (ManifestLine, Vehicle, Inspection):
        model.objects.bulk_create(children.get(model, []))


def _digest(objects) -> str:
    """A digest of rows' values (not their ids): equal digests, equal rows."""
    values = [[repr(getattr(o, f.attname)) for f in o._meta.concrete_fields
               if not f.primary_key and f.related_model is not Leg] for o in objects]
    return hashlib.sha256(repr(values).encode()).hexdigest()[:32]


def _digest_of(plan: Plan, part: str) -> str:
    return getattr(plan, f"{part}_digest")


def plan_rows(plan: PlanState) -> PlanRows:
    content = plan.content
    rows = PlanRows(Plan(
        id=plan.id, requester_id=plan.requester, linkage=content.linkage, status=plan.status, version=plan.version,
        tolerance_seconds=content.tolerance_seconds, submitted_at=at(plan.submitted_at),
        expires_at=at(plan.expires_at), closed_at=at(plan.closed_at), cleared_at=at(_cleared_at(plan)),
        amendments=plan.amendments, slot_start=at(plan.slot.start if plan.slot else None),
        slot_end=at(plan.slot.end if plan.slot else None), slot_commitment=plan.slot.window if plan.slot else "",
        revealed=revealed(plan),
        weight_kg=sum(line.weight_kg for leg in content.legs for line in leg.lines),
        vehicles=sum(len(leg.vehicles) for leg in content.legs), updated_at=at(last_change(plan)),
    ))
    refused = _refused_lines(plan)
    for leg in content.legs:
        row, children = _leg_rows(plan, leg, plan.legs[leg.id], refused)
        rows.legs.append(row)
        rows.leg_children.append((row, children))
    rows.positions = [
        Position(plan_id=plan.id, party_id=party, capacities=list(plan.required.get(party, ())),
                 stance=position.stance, at=at(position.at), reason=position.reason, text=position.text)
        for party, position in sorted(plan.positions.items())
    ]
    rows.clocks = [
        Clock(plan_id=plan.id, party_id=party, waited_seconds=plan.waited.get(party, 0),
              waiting_since=at(plan.waiting_since.get(party)))
        for party in sorted(set(plan.waited) | set(plan.waiting_since))
    ]
    rows.plan.legs_digest = _digest([*rows.legs, *(c for _, children in rows.leg_children for c in children)])
    rows.plan.positions_digest = _digest(rows.positions)
    rows.plan.clocks_digest = _digest(rows.clocks)
    return rows


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


def _leg_rows(plan: PlanState, leg, live, refused) -> tuple[Leg, list]:
    row = Leg(
        plan_id=plan.id, leg_id=leg.id, route_id=leg.route, direction=leg.direction, phase=live.phase,
        checkpoint=live.checkpoint, arrived_at=at(live.arrivals[0][0] if live.arrivals else None),
        released_at=at(live.released_at), departed_at=at(live.departed_at), delivered_at=at(live.delivered_at),
        weight_kg=sum(line.weight_kg for line in leg.lines), seals=list(leg.seals),
        crew_commitments=leg.crew_commitments(),
    )
    receipts = {receipt.line: receipt for receipt in live.receipts}
    children: list = [_line(line, live, receipts.get(line.id), refused.get((leg.id, line.id), []))
                      for line in leg.lines]
    plates = {p.vehicle: p.plate for p in plan.plates if p.leg == leg.id}
    children += [Vehicle(vehicle_id=v.id, plate=plates.get(v.id, ""), commitment=v.plate, type=v.type)
                 for v in leg.vehicles]
    children += [Inspection(at=at(moment), party=party, checkpoint=report.checkpoint, decision=report.decision,
                            report=msgspec.to_builtins(report)) for moment, party, report in live.inspections]
    return row, children


def _line(line, live, receipt, refused_by: list[str]) -> ManifestLine:
    return ManifestLine(
        line_id=line.id, item=line.item, category=line.category, quantity=line.quantity, unit=line.unit,
        weight_kg=line.weight_kg, carried=live.carried.get(line.id, 0), refused_by=sorted(refused_by),
        good=receipt.good if receipt else None, damaged=receipt.damaged if receipt else None,
        lost=receipt.lost if receipt else None,
    )


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
