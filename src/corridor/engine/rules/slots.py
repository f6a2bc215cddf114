"""Agreeing on when: the requester proposes a window for all legs; every required party confirms or declines.

The log carries only a salted commitment to the window (when a convoy moves is not for the public before
it is over): the parties learn it from the service, and the requester reveals it once the plan is closed."""

from __future__ import annotations

from ..errors import refuse
from ..state import PlanState, Slot, State
from ..statements import Statement
from .common import open_plan, require_requester, require_required, require_status

SLOT_STATUSES = frozenset({"cleared", "scheduled"})


def propose(state: State, st: Statement, now: int) -> None:
    plan = open_plan(state, st)
    require_requester(plan, st)
    require_status(plan, SLOT_STATUSES, "propose a slot")
    plan.slot = Slot(id=st.payload.slot, window=st.payload.window, proposed_at=now)


def confirm(state: State, st: Statement, now: int) -> None:
    plan, slot = _answerable_slot(state, st)
    slot.answers[st.party] = "confirmed"


def decline(state: State, st: Statement, now: int) -> None:
    plan, slot = _answerable_slot(state, st)
    slot.answers[st.party] = "declined"
    slot.declined = True


def _answerable_slot(state: State, st: Statement) -> tuple[PlanState, Slot]:
    plan = open_plan(state, st)
    require_required(plan, st)
    slot = plan.slot
    if slot is None or slot.id != st.payload.slot or slot.declined:
        raise refuse("slot.unknown", f"plan {plan.id} has no open slot proposal {st.payload.slot!r}")
    if st.party in slot.answers:
        raise refuse("slot.already_answered", f"{st.party} already {slot.answers[st.party]} slot {slot.id}")
    require_status(plan, SLOT_STATUSES, "answer a slot proposal")
    return plan, slot
