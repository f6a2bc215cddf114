"""Agreeing on when: the requester proposes a window for all legs; every required party confirms or declines."""

from __future__ import annotations

import heapq

from ..errors import refuse
from ..state import PlanState, Slot, State
from ..statements import Statement
from ..times import parse_time
from .common import open_plan, require_requester, require_required, require_status

SLOT_STATUSES = frozenset({"cleared", "scheduled"})


def propose(state: State, st: Statement, now: int) -> None:
    plan = open_plan(state, st)
    require_requester(plan, st)
    require_status(plan, SLOT_STATUSES, "propose a slot")
    start = parse_time(st.payload.start, "start")
    end = parse_time(st.payload.end, "end")
    if end <= start:
        raise refuse("slot.invalid", f"the slot must end after it starts ({st.payload.start} – {st.payload.end})")
    plan.slot = Slot(id=st.payload.slot, start=start, end=end, proposed_at=now)
    heapq.heappush(state.timers, (start, plan.id, "slot_opens"))


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
