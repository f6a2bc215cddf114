"""Opening commitments: once a plan is closed, its requester reveals the slot's window and the plates.

The log carried salted commitments (corridor.ledger.commitments) so that nobody reading it learned when a
convoy would move or which vehicles it used. Once the plan is closed that is history, and the requester
reveals value and salt; every verifier checks them against the commitments here, and the public fold then
shows them. Crew are never revealed."""

from __future__ import annotations

from ...ledger.commitments import plate_value, verify_reveal, window_value
from ..clock import count_revealed_wait
from ..errors import refuse
from ..model import Vehicle
from ..state import PlanState, Slot, State
from ..statements import RevealedPlate, RevealedWindow, Statement
from ..times import parse_time
from .common import existing_plan, find_leg, require_requester


def reveal(state: State, st: Statement, now: int) -> None:
    plan = existing_plan(state, st)
    require_requester(plan, st)
    if not plan.closed:
        raise refuse("reveal.early", f"plan {plan.id} is {plan.status}; its commitments are revealed once it is closed")
    window, plates = st.payload.window, st.payload.plates
    if window is None and not plates:
        raise refuse("reveal.empty", "name the slot's window or at least one plate to reveal")
    times = _check_window(plan, window) if window is not None else None
    _check_plates(plan, plates)
    if times is not None:
        slot = plan.slot
        slot.start, slot.end, slot.revealed = times[0], times[1], window
        count_revealed_wait(plan, times[0])
    plan.plates.extend(plates)


def _check_window(plan: PlanState, window: RevealedWindow) -> tuple[int, int]:
    slot: Slot | None = plan.slot
    if slot is None or slot.id != window.slot:
        raise refuse("reveal.mismatch", f"plan {plan.id} has no current slot {window.slot!r} to reveal")
    if slot.revealed is not None:
        raise refuse("reveal.done", f"the window of slot {slot.id} was already revealed")
    start, end = parse_time(window.start, "start"), parse_time(window.end, "end")
    if not verify_reveal(window_value(window.start, window.end), window.salt, slot.window):
        raise refuse("reveal.mismatch", f"the revealed window does not open slot {slot.id}'s commitment")
    if end <= start:  # the service never commits such a window; a party signing its own could
        raise refuse("slot.invalid", f"the revealed slot must end after it starts ({window.start} – {window.end})")
    return start, end


def _check_plates(plan: PlanState, plates: tuple[RevealedPlate, ...]) -> None:
    done = {(p.leg, p.vehicle) for p in plan.plates}
    for revealed in plates:
        vehicle = _vehicle(plan, revealed)
        if (revealed.leg, revealed.vehicle) in done:
            raise refuse("reveal.done", f"the plate of vehicle {revealed.vehicle} on leg {revealed.leg} is revealed")
        if not verify_reveal(plate_value(revealed.plate), revealed.salt, vehicle.plate):
            raise refuse("reveal.mismatch", f"the revealed plate does not open vehicle {vehicle.id}'s commitment")
        done.add((revealed.leg, revealed.vehicle))


def _vehicle(plan: PlanState, revealed: RevealedPlate) -> Vehicle:
    leg = find_leg(plan, revealed.leg)
    for vehicle in leg.vehicles:
        if vehicle.id == revealed.vehicle:
            return vehicle
    raise refuse("reveal.mismatch", f"leg {leg.id} has no vehicle {revealed.vehicle!r}")
