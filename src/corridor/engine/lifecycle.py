"""A plan's status, derived from its positions, slot and legs, never set by hand (except terminal ones)."""

from __future__ import annotations

from .state import LEG_DONE, PlanState, PlanStatus

UNCOMMITTED_PHASES = frozenset({"planned", "arrived", "held", "cleared"})
STICKY_STATUSES = frozenset({"cancelled", "expired", "aborted"})


def derive_status(plan: PlanState) -> PlanStatus:
    """Status from facts. Terminal statuses (cancelled, expired, aborted) are sticky and set by rules."""
    if plan.status in STICKY_STATUSES:
        return plan.status
    # One pass over the positions and one over the legs, noting only what the rules below ask (no sets:
    # this runs after every statement; the answers are those of the sets of stances and phases).
    consented, refused, withdrawn, only_pending = True, False, False, bool(plan.positions)
    for position in plan.positions.values():
        stance = position.stance
        if stance != "consented":
            consented = False
            if stance == "refused":
                refused = True
            elif stance == "withdrawn":
                withdrawn = True
        if stance != "pending":
            only_pending = False
    only_planned, uncommitted, done, delivered = bool(plan.legs), True, True, False
    for leg in plan.legs.values():
        phase = leg.phase
        if phase != "planned":
            only_planned = False
            if phase not in UNCOMMITTED_PHASES:
                uncommitted = False
        if phase not in LEG_DONE:
            done = False
        elif phase == "delivered":
            delivered = True
    if only_planned:  # nothing has moved yet
        if consented:
            return "scheduled" if slot_confirmed(plan) else "cleared"
        if refused:
            return "refused"
        if withdrawn:
            return "withdrawn"
        return "submitted" if only_pending and not plan.requests else "awaiting_consent"
    # until vehicles are released, a missing consent stops the plan even at the gates; after, it cannot
    if not consented and uncommitted:
        if refused:
            return "refused"
        if withdrawn:
            return "withdrawn"
    return ("completed" if delivered else "aborted") if done else "in_progress"


def slot_confirmed(plan: PlanState) -> bool:
    """Every required party confirmed the current slot (answers come only from required parties)."""
    slot = plan.slot
    return slot is not None and not slot.declined and len(slot.answers) == len(plan.required)
