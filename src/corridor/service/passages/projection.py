"""Read models of passages, written from the engine's state of each plan the entry changed.

Incremental (`project_passages`, per entry) and full (`rebuild` projects every plan once at the end) use
the same `write_plan`, so both give the same rows; tests hold them equal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import msgspec

from ...engine.state import PlanState, State
from ...fold import Folded, LogFold
from .models import Attestation, AttestedLine, Clock, CrewMember, Inspection, Leg, ManifestLine, Plan, Position, Vehicle


def project_passages(folded: Folded, fold: LogFold, private: object) -> None:
    for plan_id in folded.plans:
        write_plan(fold.state.plans[plan_id], fold.state)
        if folded.type in ("plan.submit", "plan.amend") and plan_id == folded.statement.plan:
            write_crew(plan_id, private)
    if folded.type == "passage.attest":
        write_attestation(fold.state, folded.statement.payload.passage)


def at(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def write_plan(plan: PlanState, state: State) -> None:
    content = plan.content
    weight = sum(line.weight_kg for leg in content.legs for line in leg.lines)
    Plan.objects.update_or_create(id=plan.id, defaults=dict(
        requester_id=plan.requester, linkage=content.linkage, status=plan.status, version=plan.version,
        tolerance_seconds=content.tolerance_seconds, submitted_at=at(plan.submitted_at),
        expires_at=at(plan.expires_at), closed_at=at(plan.closed_at), cleared_at=at(_cleared_at(plan)),
        amendments=plan.amendments,
        slot_start=at(plan.slot.start if plan.slot else None), slot_end=at(plan.slot.end if plan.slot else None),
        weight_kg=weight, vehicles=sum(len(leg.vehicles) for leg in content.legs), updated_at=at(last_change(plan)),
    ))
    _write_legs(plan)
    _write_positions(plan)
    _write_clocks(plan)


def last_change(plan: PlanState) -> int:
    """The latest moment the plan's state records (derived from the state, so a rebuild gives the same)."""
    times = [plan.submitted_at, plan.closed_at or 0, *plan.waiting_since.values()]
    times += [p.at or 0 for p in plan.positions.values()] + [n.at for n in plan.notes]
    times += [plan.slot.proposed_at] if plan.slot else []
    for leg in plan.legs.values():
        times += [t for t, _ in leg.arrivals] + [t for t, _, _ in leg.inspections]
        times += [leg.released_at or 0, leg.departed_at or 0, leg.delivered_at or 0]
    return max(times)


def _cleared_at(plan: PlanState) -> int | None:
    """When the last required consent to the current version came, once every required party consents."""
    times = [p.at for p in plan.positions.values() if p.stance == "consented"]
    return max(times) if times and len(times) == len(plan.positions) else None


def _write_legs(plan: PlanState) -> None:
    Leg.objects.filter(plan_id=plan.id).exclude(leg_id__in=[leg.id for leg in plan.content.legs]).delete()
    for leg in plan.content.legs:
        live = plan.legs[leg.id]
        row, _ = Leg.objects.update_or_create(plan_id=plan.id, leg_id=leg.id, defaults=dict(
            route_id=leg.route, direction=leg.direction, phase=live.phase, checkpoint=live.checkpoint,
            arrived_at=at(live.arrivals[0][0] if live.arrivals else None), released_at=at(live.released_at),
            departed_at=at(live.departed_at), delivered_at=at(live.delivered_at),
            weight_kg=sum(line.weight_kg for line in leg.lines), seals=list(leg.seals),
            crew_commitments=list(leg.crew),
        ))
        _write_leg_details(row, plan, leg, live)


def _write_leg_details(row: Leg, plan: PlanState, leg, live) -> None:
    ManifestLine.objects.filter(leg=row).delete()
    Vehicle.objects.filter(leg=row).delete()
    Inspection.objects.filter(leg=row).delete()
    CrewMember.objects.filter(leg=row).exclude(commitment__in=list(leg.crew)).delete()
    receipts = {receipt.line: receipt for receipt in live.receipts}
    refused = {}
    for party, position in plan.positions.items():
        for leg_id, line_id in position.lines:
            if leg_id == leg.id:
                refused.setdefault(line_id, []).append(party)
    ManifestLine.objects.bulk_create([_line(row, line, live, receipts.get(line.id), refused) for line in leg.lines])
    Vehicle.objects.bulk_create([Vehicle(leg=row, vehicle_id=v.id, plate=v.plate, type=v.type) for v in leg.vehicles])
    Inspection.objects.bulk_create([
        Inspection(leg=row, at=at(moment), party=party, checkpoint=report.checkpoint, decision=report.decision,
                   report=msgspec.to_builtins(report))
        for moment, party, report in live.inspections
    ])


def _line(row: Leg, line, live, receipt, refused: dict) -> ManifestLine:
    return ManifestLine(
        leg=row, line_id=line.id, item=line.item, category=line.category, quantity=line.quantity, unit=line.unit,
        weight_kg=line.weight_kg, carried=live.carried.get(line.id, 0), refused_by=sorted(refused.get(line.id, [])),
        good=receipt.good if receipt else None, damaged=receipt.damaged if receipt else None,
        lost=receipt.lost if receipt else None,
    )


def _write_positions(plan: PlanState) -> None:
    Position.objects.filter(plan_id=plan.id).delete()
    Position.objects.bulk_create([
        Position(plan_id=plan.id, party_id=party, capacities=list(plan.required.get(party, ())),
                 stance=position.stance, at=at(position.at), reason=position.reason, text=position.text)
        for party, position in sorted(plan.positions.items())
    ])


def _write_clocks(plan: PlanState) -> None:
    Clock.objects.filter(plan_id=plan.id).delete()
    parties = sorted(set(plan.waited) | set(plan.waiting_since))
    Clock.objects.bulk_create([
        Clock(plan_id=plan.id, party_id=party, waited_seconds=plan.waited.get(party, 0),
              waiting_since=at(plan.waiting_since.get(party)))
        for party in parties
    ])


def write_crew(plan_id: str, private: object) -> None:
    """Private crew details travel beside the statement (never in it): {leg id: [member, ...]}."""
    if not isinstance(private, dict):
        return
    for leg_id, members in private.get("crew", {}).items():
        leg = Leg.objects.get(plan_id=plan_id, leg_id=leg_id)
        known = set(CrewMember.objects.filter(leg=leg).values_list("commitment", flat=True))
        CrewMember.objects.bulk_create([CrewMember(leg=leg, **m) for m in members if m["commitment"] not in known])


def write_attestation(state: State, passage: str) -> None:
    record = state.attestations[passage]
    claim = record.claim
    row = Attestation.objects.create(
        passage=claim.passage, source_id=record.source, dataset=claim.dataset, reference=claim.reference,
        crossing=claim.crossing, carrier=claim.carrier, origin=claim.origin, departed=_day(claim.departed),
        cleared=_day(claim.cleared), received=_day(claim.received), attested_at=at(record.attested_at),
        weight_kg=sum(line.weight_kg for line in claim.lines),
    )
    AttestedLine.objects.bulk_create([
        AttestedLine(attestation=row, item=line.item, category=line.category, quantity=line.quantity, unit=line.unit,
                     weight_kg=line.weight_kg, destination=line.destination)
        for line in claim.lines
    ])


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)
