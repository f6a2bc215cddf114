"""A plan's status, derived from its positions, slot and legs, never set by hand (except terminal ones)."""

from __future__ import annotations

from .state import LEG_DONE, PlanState, PlanStatus

UNCOMMITTED_PHASES = frozenset({"planned", "arrived", "held", "cleared"})


def derive_status(plan: PlanState) -> PlanStatus:
    """Status from facts. Terminal statuses (cancelled, expired, aborted) are sticky and set by rules."""
    if plan.status in ("cancelled", "expired", "aborted"):
        return plan.status
    stances = [position.stance for position in plan.positions.values()]
    phases = {leg.phase for leg in plan.legs.values()}
    # a consent withdrawn while vehicles wait at their gates still stops the plan; once released, it cannot
    if "withdrawn" in stances and phases <= UNCOMMITTED_PHASES:
        return "withdrawn"
    if phases != {"planned"}:
        return _movement_status(plan)
    if all(stance == "consented" for stance in stances):
        return "scheduled" if slot_confirmed(plan) else "cleared"
    if "refused" in stances:
        return "refused"
    if "withdrawn" in stances:
        return "withdrawn"
    if all(stance == "pending" for stance in stances) and not plan.requests:
        return "submitted"
    return "awaiting_consent"


def _movement_status(plan: PlanState) -> PlanStatus:
    phases = [leg.phase for leg in plan.legs.values()]
    if not all(phase in LEG_DONE for phase in phases):
        return "in_progress"
    return "completed" if "delivered" in phases else "aborted"


def slot_confirmed(plan: PlanState) -> bool:
    """Every required party confirmed the current, undeclined slot."""
    slot = plan.slot
    if slot is None or slot.declined:
        return False
    return all(slot.answers.get(party) == "confirmed" for party in plan.required)


def refresh_status(plan: PlanState, now: int) -> None:
    plan.status = derive_status(plan)
    if plan.closed and plan.closed_at is None:
        plan.closed_at = now
