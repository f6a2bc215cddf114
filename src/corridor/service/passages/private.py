"""What the public log must not show: slot windows and plates until the plan is closed, crew ever.

Requests carry clear values; `commit_request` turns them into the salted commitments a party signs
(corridor.privacy) and the private part, which `projection.write_private` keeps, in the recording
transaction, in access-controlled tables (crew_member, slot_window, vehicle_plate) that only the plan's
parties read. When a passage is over, `reveal_on_close` has the requester (custodial key) reveal window and plates
on the log; `check_go` holds an early `go` against the private window, which the engine cannot see.
"""

from __future__ import annotations

from typing import Any

from ...engine.errors import RuleViolation
from ...engine.state import PlanState
from ...engine.times import parse_time
from ...fold import Folded, LogFold
from ...ledger.commitments import plate_value, verify_reveal, window_value
from ...privacy import PrivacyError, Private, commit_plan, commit_window, reveal_payload
from .. import clock
from ..ledger.record import Builder, Refused, custodial
from .models import SlotWindow, VehiclePlate

PLAN_CONTENT = ("plan.submit", "plan.amend")


def commit_request(kind: str, payload: dict[str, Any], crew: object = None) -> tuple[dict[str, Any], Private]:
    """The payload to sign (commitments only) and its clear values, for the statements that carry any."""
    try:
        if kind == "slot.propose":
            return commit_window(payload)
        if kind in PLAN_CONTENT:
            return commit_plan(payload, crew)
    except PrivacyError as error:
        raise Refused(error.code, error.message) from None
    if crew is not None:
        raise Refused("crew.invalid", f"crew goes with a plan's content (plan.submit, plan.amend), not {kind}")
    return payload, Private()


def current_window(plan: PlanState) -> SlotWindow | None:
    """The clear window of the plan's current slot, if the service keeps it (it opens the commitment)."""
    slot = plan.slot
    if slot is None:
        return None
    window = SlotWindow.objects.filter(plan_id=plan.id, commitment=slot.window).first()
    if window is None or not verify_reveal(window_value(window.start, window.end), window.salt, slot.window):
        return None
    return window


def current_plates(plan: PlanState) -> list[VehiclePlate]:
    """The clear plates of the plan's current vehicles, in the order of its content."""
    wanted = {v.plate: (leg.id, v.id) for leg in plan.content.legs for v in leg.vehicles}
    rows = {row.commitment: row for row in VehiclePlate.objects.filter(plan_id=plan.id, commitment__in=list(wanted))}
    plates = []
    for commitment, (leg_id, vehicle_id) in wanted.items():
        row = rows.get(commitment)
        if row is not None and verify_reveal(plate_value(row.plate), row.salt, commitment):
            row.leg_id, row.vehicle_id = leg_id, vehicle_id
            plates.append(row)
    return plates


def reveal_due(plan: PlanState) -> dict[str, Any]:
    """The plan.reveal payload for what the service keeps and the log has not revealed yet ({} if none)."""
    window = None
    if plan.slot is not None and plan.slot.revealed is None:
        row = current_window(plan)
        if row is not None:
            window = {"slot": plan.slot.id, "start": row.start, "end": row.end, "salt": row.salt}
    done = {(p.leg, p.vehicle) for p in plan.plates}
    plates = [{"leg": r.leg_id, "vehicle": r.vehicle_id, "plate": r.plate, "salt": r.salt}
              for r in current_plates(plan) if (r.leg_id, r.vehicle_id) not in done]
    return reveal_payload(window, plates)


def _movement_is_over(plan: PlanState, now: int) -> bool:
    """A completed passage has moved. A plan closed otherwise (cancelled, expired, aborted) may be asked
    again with the same vehicles at the same time, so it is revealed on its own only once its window has
    ended; until then (or with no window at all) only the requester decides to reveal it."""
    if plan.status == "completed":
        return True
    row = current_window(plan) if plan.slot is not None else None
    return row is not None and parse_time(row.end, "end") <= now


def _all_revealed(plan: PlanState) -> bool:
    """Whether the log has revealed the slot's window (or the plan has none) and the plate of every vehicle:
    nothing the service keeps can be due then (`reveal_due` gives {}), and it is known without a query. Each
    statement on a closed plan asks (a note on a completed one); the window's and plates' queries ran under the
    writer lock for each."""
    if plan.slot is not None and plan.slot.revealed is None:
        return False
    revealed = {(plate.leg, plate.vehicle) for plate in plan.plates}
    return all((leg.id, vehicle.id) in revealed for leg in plan.content.legs for vehicle in leg.vehicles)


def reveal_on_close(folded: Folded, fold: LogFold) -> list[Builder]:
    """Once a plan is closed, its requester reveals window and plates, signed with its custodial key in
    the same transaction. A requester that signs its own statements reveals itself (the builder is
    refused key.not_custodial and skipped)."""
    builders = []
    for plan_id in folded.plans:
        plan = fold.state.plans.get(plan_id)
        if plan is None or not plan.closed or _all_revealed(plan) or not _movement_is_over(plan, clock.now()):
            continue
        payload = reveal_due(plan)
        if payload:
            builders.append(custodial(plan.requester, "plan.reveal", payload, plan=plan_id))
    return builders


def check_go(statement: dict, fold: LogFold) -> None:
    """`go` not before the slot opens minus the tolerance, against the private window (the engine knows
    the window only once revealed). Only for the parties that may give go, so the refusal tells nobody
    else when the slot opens."""
    if statement.get("type") != "plan.go":
        return
    plan = fold.state.plans.get(statement.get("plan") or "")
    if plan is None or plan.slot is None or plan.slot.start is not None:
        return
    party = statement.get("party")
    if party != plan.requester and "escort" not in plan.required.get(party, ()):
        return
    window = current_window(plan)
    if window is None:
        return
    try:
        moment = max(parse_time(statement.get("time"), "time"), fold.state.clock)
    except RuleViolation:
        return  # the engine refuses it with its own code
    if moment < parse_time(window.start, "start") - plan.content.tolerance_seconds:
        raise Refused("state.wrong", f"the agreed slot opens at {window.start}; too early to go", 409)
