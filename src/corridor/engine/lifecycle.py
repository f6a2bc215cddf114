"""A plan's status, derived from its positions, slot and legs, never set by hand (except terminal ones)."""

from __future__ import annotations

from .state import LEG_DONE, PlanState, PlanStatus

UNCOMMITTED_PHASES = frozenset({"planned", "arrived", "held", "cleared"})
STICKY_STATUSES = frozenset({"cancelled", "expired", "aborted"})
ONLY_PLANNED = frozenset({"planned"})
ONLY_CONSENTED = frozenset({"consented"})
ONLY_PENDING = frozenset({"pending"})


def derive_status(plan: PlanState) -> PlanStatus:
    """Status from facts. Terminal statuses (cancelled, expired, aborted) are sticky and set by rules."""
    if plan.status in STICKY_STATUSES:
        return plan.status
    stances, phases = set(), set()  # plain loops: no comprehension frames, on every statement
    for position in plan.positions.values():
        stances.add(position.stance)
    for leg in plan.legs.values():
        phases.add(leg.phase)
    consented = stances <= ONLY_CONSENTED
    if phases == ONLY_PLANNED:  # nothing has moved yet
        if consented:
            return "scheduled" if slot_confirmed(plan) else "cleared"
        if "refused" in stances:
            return "refused"
        if "withdrawn" in stances:
            return "withdrawn"
        return "submitted" if stances == ONLY_PENDING and not plan.requests else "awaiting_consent"
    # until vehicles are released, a missing consent stops the plan even at the gates; after, it cannot
    if not consented and phases <= UNCOMMITTED_PHASES:
        if "refused" in stances:
            return "refused"
        if "withdrawn" in stances:
            return "withdrawn"
    return ("completed" if "delivered" in phases else "aborted") if phases <= LEG_DONE else "in_progress"


def slot_confirmed(plan: PlanState) -> bool:
    """Every required party confirmed the current slot (answers come only from required parties)."""
    slot = plan.slot
    return slot is not None and not slot.declined and len(slot.answers) == len(plan.required)
