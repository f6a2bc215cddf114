"""Moving the goods: arrive at a checkpoint, inspect, go (the barrier), depart, deliver."""

from __future__ import annotations

from decimal import Decimal
from typing import get_args

from ..errors import refuse
from ..model import Checkpoint, Leg, Route
from ..quantity import amount, canonical, total
from ..state import LegState, PlanState, State
from ..statements import Decision, Discrepancy, Inspect, Statement
from ..times import format_time
from .common import (
    find_checkpoint,
    find_leg,
    find_line,
    open_plan,
    require_escort_or_requester,
    require_requester,
    require_status,
)

DECISIONS = frozenset(get_args(Decision))
DISCREPANCIES = frozenset(get_args(Discrepancy))
MOVING_STATUSES = frozenset({"scheduled", "in_progress"})


def arrive(state: State, st: Statement, now: int) -> None:
    plan, leg, leg_state, route = _leg_context(state, st)
    if st.party != plan.requester and not route.capacities_of(st.party):
        raise refuse("party.not_required", f"{st.party} has no role on route {route.id}")
    index, checkpoint = find_checkpoint(route, st.payload.checkpoint)
    position = index if leg.direction == "forward" else len(route.checkpoints) - 1 - index
    if leg_state.departed_at is None:
        _check_gate_arrival(plan, leg_state, route, leg, position)
        leg_state.phase = "arrived" if checkpoint.inspected_by else "cleared"
    else:
        _check_en_route_arrival(leg_state, checkpoint, position)
        leg_state.phase = "arrived" if checkpoint.inspected_by else "in_transit"
    leg_state.checkpoint, leg_state.checkpoint_index = checkpoint.id, position
    leg_state.arrivals.append((now, checkpoint.id))


def inspect(state: State, st: Statement, now: int) -> None:
    plan, leg, leg_state, route = _leg_context(state, st)
    report: Inspect = st.payload
    _, checkpoint = find_checkpoint(route, report.checkpoint)
    require_inspector(st.party, checkpoint, route)
    if leg_state.phase not in ("arrived", "held") or leg_state.checkpoint != checkpoint.id:
        raise refuse("state.wrong", f"leg {leg.id} has not arrived at {checkpoint.name}; it cannot be inspected there")
    _check_report(leg, leg_state, report)
    for finding in report.findings:
        leg_state.carried[finding.line] = finding.found
    for line_id in report.offload:
        leg_state.carried[line_id] = 0
    leg_state.inspections.append((now, st.party, report))
    _decide(plan, leg_state, report.decision)


def go(state: State, st: Statement, now: int) -> None:
    plan = open_plan(state, st)
    require_escort_or_requester(state, plan, st)
    require_status(plan, MOVING_STATUSES, "give go")
    # the window is committed until the plan is closed, so the service checks this against its private copy;
    # the engine checks it too whenever the window is known
    slot = plan.slot
    if slot is not None and slot.start is not None and now < slot.start - plan.content.tolerance_seconds:
        raise refuse("state.wrong", f"the agreed slot opens at {format_time(slot.start)}; too early to go")
    for leg_id in st.payload.legs:
        find_leg(plan, leg_id)
    for leg_state in _legs_to_release(plan, st.payload.legs):
        leg_state.phase, leg_state.released_at = "released", now


def depart(state: State, st: Statement, now: int) -> None:
    plan, leg, leg_state, _ = _leg_context(state, st)
    require_escort_or_requester(state, plan, st)
    if leg_state.phase != "released":
        raise refuse("state.wrong", f"leg {leg.id} is {leg_state.phase}; it departs only after go")
    leg_state.phase, leg_state.departed_at = "in_transit", now


def deliver(state: State, st: Statement, now: int) -> None:
    plan, leg, leg_state, route = _leg_context(state, st)
    _require_receiver(plan, route, st)
    if leg_state.phase != "in_transit":
        raise refuse("state.wrong", f"leg {leg.id} is {leg_state.phase}; goods are received only after departure")
    _check_receipts(leg, leg_state, st.payload.receipts)
    leg_state.phase, leg_state.delivered_at, leg_state.receipts = "delivered", now, st.payload.receipts


def _leg_context(state: State, st: Statement) -> tuple[PlanState, Leg, LegState, Route]:
    plan = open_plan(state, st)
    leg = find_leg(plan, st.payload.leg)
    return plan, leg, plan.legs[leg.id], state.routes[leg.route]


def _check_gate_arrival(plan: PlanState, leg_state: LegState, route: Route, leg: Leg, position: int) -> None:
    require_status(plan, MOVING_STATUSES, "arrive at a checkpoint")
    if leg_state.phase != "planned":
        raise refuse("state.wrong", f"leg {leg.id} is already {leg_state.phase} at {leg_state.checkpoint}")
    if position != 0:
        gate = route.ordered_checkpoints(leg.direction)[0]
        raise refuse("state.wrong", f"before departure leg {leg.id} can only arrive at its gate, {gate.name}")


def _check_en_route_arrival(leg_state: LegState, checkpoint: Checkpoint, position: int) -> None:
    if leg_state.phase != "in_transit":
        raise refuse("state.wrong", f"the leg is {leg_state.phase}; it must be on the move to reach {checkpoint.name}")
    if position <= leg_state.checkpoint_index:
        raise refuse("state.wrong", f"{checkpoint.name} lies behind the vehicle in its direction of travel")


def require_inspector(party: str, checkpoint: Checkpoint, route: Route) -> None:
    if party in checkpoint.inspected_by:
        return
    if route.capacities_of(party):
        raise refuse("party.wrong_capacity", f"{party} does not inspect at {checkpoint.name}")
    raise refuse("party.not_required", f"{party} has no role on route {route.id}")


def seals_on(leg: Leg, leg_state: LegState) -> list[str]:
    """The seals a checkpoint checks on the leg: those the plan declared, then those applied by inspections
    on the way (a seal found broken stays listed: the next checkpoint sees it broken too)."""
    applied = [seal.seal for _, _, report in leg_state.inspections for seal in report.applied]
    return [*leg.seals, *applied]


def _check_report(leg: Leg, leg_state: LegState, report: Inspect) -> None:
    if report.decision not in DECISIONS:
        raise refuse("inspection.invalid", f"decision must be one of {', '.join(sorted(DECISIONS))}")
    seen: set[str] = set()
    for finding in report.findings:
        find_line(leg, finding.line)
        if finding.line in seen:
            raise refuse("inspection.invalid", f"line {finding.line} is reported twice")
        seen.add(finding.line)
        unknown = set(finding.codes) - DISCREPANCIES if finding.codes else None
        if unknown:
            raise refuse(
                "inspection.invalid", f"unknown discrepancy codes {sorted(unknown)}; use {sorted(DISCREPANCIES)}"
            )
        _check_excess(finding, leg_state.carried.get(finding.line, 0))
    if report.seals or report.applied:  # else there is nothing to check against the seals on the leg
        _check_seals(leg, seals_on(leg, leg_state), report)
    _check_offload(leg, report)


def _check_excess(finding, carried: int | str) -> None:
    """More found than the leg carries is said so, with the code `excess`: what is found becomes what the leg
    carries on, and the receiver must account for all of it. Unmarked, one inspector's typo (or a hostile one's
    900,000 for 20) silently became the receiver's to sign for."""
    if amount(finding.found) > amount(carried) and "excess" not in (finding.codes or ()):
        raise refuse("inspection.invalid", f"line {finding.line}: {finding.found} found is more than the {carried} "
                     "the leg carries; report it with the discrepancy code excess")


def _check_seals(leg: Leg, on_leg: list[str], report: Inspect) -> None:
    checked = [check.seal for check in report.seals]
    for seal in checked:
        if seal not in on_leg:
            raise refuse(
                "inspection.invalid", f"seal {seal!r} was neither declared on leg {leg.id} nor applied on the way"
            )
    if len(set(checked)) != len(checked):
        raise refuse("inspection.invalid", "a seal is reported twice")
    vehicles = {vehicle.id for vehicle in leg.vehicles}
    applied = [seal.seal for seal in report.applied]
    for seal in report.applied:
        if not seal.seal.strip():
            raise refuse("inspection.invalid", "an applied seal needs its number")
        if seal.seal in on_leg or applied.count(seal.seal) > 1:
            raise refuse(
                "inspection.invalid", f"seal {seal.seal!r} is already on leg {leg.id}: seal numbers are unique"
            )
        if seal.vehicle is not None and seal.vehicle not in vehicles:
            raise refuse("inspection.invalid", f"seal {seal.seal!r}: leg {leg.id} has no vehicle {seal.vehicle!r}")


def _check_offload(leg: Leg, report: Inspect) -> None:
    if (report.decision == "cleared_with_offload") != bool(report.offload):
        raise refuse("inspection.invalid", "name the offloaded lines exactly when the decision is cleared_with_offload")
    for line_id in report.offload:
        find_line(leg, line_id)


def _decide(plan: PlanState, leg_state: LegState, decision: str) -> None:
    if decision in ("cleared", "cleared_with_offload"):
        leg_state.phase = "cleared" if leg_state.departed_at is None else "in_transit"
    elif decision == "held":
        leg_state.phase = "held"
    else:
        leg_state.phase = "turned_back"
        if plan.simultaneous:
            plan.status = "aborted"  # all or nothing: one leg turned back stops every leg


def _legs_to_release(plan: PlanState, named: tuple[str, ...]) -> list[LegState]:
    legs = plan.legs
    if plan.simultaneous:
        waiting = [leg.id for leg in legs.values() if leg.phase != "cleared"]
        if waiting:
            raise refuse(
                "barrier.not_ready", f"not every leg is cleared at its gate; still waiting for {', '.join(waiting)}"
            )
        return list(legs.values())
    chosen = [legs[leg_id] for leg_id in named] or [leg for leg in legs.values() if leg.phase == "cleared"]
    not_cleared = [leg.id for leg in chosen if leg.phase != "cleared"]
    if not chosen or not_cleared:
        raise refuse(
            "state.wrong", f"only legs cleared at their gate can go; not cleared: {', '.join(not_cleared) or 'any'}"
        )
    return chosen


def _require_receiver(plan: PlanState, route: Route, st: Statement) -> None:
    receivers = set()
    for req in route.policy:  # a loop, not a comprehension: no frame on every delivery
        if req.capacity == "receiving_security":
            receivers.add(req.party)
    if not receivers:
        require_requester(plan, st)
    elif st.party not in receivers:
        code = (
            "party.wrong_capacity"
            if route.capacities_of(st.party) or st.party == plan.requester
            else "party.not_required"
        )
        raise refuse(
            code, f"only the receiving party of route {route.id} ({', '.join(sorted(receivers))}) signs receipts"
        )


def _check_receipts(leg: Leg, leg_state: LegState, receipts: tuple) -> None:
    """Exact: decimals are added as decimals (2.5 carried = 2 good + 0.5 damaged), never as floats."""
    accounted: dict[str, int | Decimal] = {}
    for receipt in receipts:
        find_line(leg, receipt.line)
        if receipt.line in accounted:
            raise refuse("delivery.mismatch", f"line {receipt.line} is receipted twice")
        accounted[receipt.line] = total(receipt.good, receipt.damaged, receipt.lost)
    carried: dict[str, int | Decimal] = {}
    for line, quantity in leg_state.carried.items():  # a loop: no frame, and each amount computed once
        value = quantity if isinstance(quantity, int) else amount(quantity)
        if value > 0:
            carried[line] = value
    if accounted == carried:  # the common case: every line receipted as carried (compared in C)
        return
    for line_id in carried.keys() | accounted.keys():
        if accounted.get(line_id, 0) != carried.get(line_id, 0):
            raise refuse(
                "delivery.mismatch",
                f"line {line_id}: carried {canonical(carried.get(line_id, 0))}, "
                f"receipted {canonical(accounted.get(line_id, 0))}",
            )
