"""A plan's status, derived from its positions, slot and legs, never set by hand (except terminal ones).

THE RULE is `_status_of`, written over the sets of the required parties' stances and of the legs' phases.
It runs after every statement, so its answers are kept in a table indexed by the two sets written as bit
masks, filled from that function the first time each combination occurs: a plan's step reads one bit per
leg and per position and one entry of the table, and builds no set (docs/benchmarks.md, "Issue 12: where
a fold step's instructions go").
"""

from __future__ import annotations

from typing import get_args

from .state import LEG_DONE, LegPhase, PlanState, PlanStatus, Stance

UNCOMMITTED_PHASES = frozenset({"planned", "arrived", "held", "cleared"})
STICKY_STATUSES = frozenset({"cancelled", "expired", "aborted"})
# Two answers of the rule depend on more than the sets: whether the slot is confirmed by all (cleared or
# scheduled), and whether a request for information was ever made (submitted or awaiting consent).
BY_SLOT, BY_REQUESTS = "cleared or scheduled", "submitted or awaiting_consent"


def derive_status(plan: PlanState) -> PlanStatus:
    """Status from facts. Terminal statuses (cancelled, expired, aborted) are sticky and set by rules."""
    if plan.status in STICKY_STATUSES:
        return plan.status
    phases = 0
    for leg in plan.legs.values():  # plain loops: no frame, no set
        phases |= PHASE_BITS[leg.phase]
    stances = 0
    if not phases & COMMITTED:  # once a leg is released the stances no longer count: their records stay unread
        for position in plan.positions.values():
            stances |= STANCE_BITS[position.stance]
    key = stances << PHASE_COUNT | phases
    status = STATUS_BY_MASKS.get(key)
    if status is None:
        status = STATUS_BY_MASKS[key] = _status_of(_named(STANCE_BITS, stances), _named(PHASE_BITS, phases))
    if status is BY_SLOT:
        return "scheduled" if slot_confirmed(plan) else "cleared"
    if status is BY_REQUESTS:
        return "awaiting_consent" if plan.requests else "submitted"
    return status


def _status_of(stances: frozenset[str], phases: frozenset[str]) -> str:
    """The rule, over the set of stances (empty: no party is required) and the set of phases (empty: no leg)."""
    consented = stances <= {"consented"}
    if phases == {"planned"}:  # nothing has moved yet
        if consented:
            return BY_SLOT
        if "refused" in stances:
            return "refused"
        if "withdrawn" in stances:
            return "withdrawn"
        return BY_REQUESTS if stances == {"pending"} else "awaiting_consent"
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


def _bits(names: tuple[str, ...]) -> dict[str, int]:
    return {name: 1 << n for n, name in enumerate(names)}


def _named(bits: dict[str, int], mask: int) -> frozenset[str]:
    return frozenset(name for name, bit in bits.items() if mask & bit)


STANCE_BITS, PHASE_BITS = _bits(get_args(Stance)), _bits(get_args(LegPhase))
PHASE_COUNT = len(PHASE_BITS)
COMMITTED = sum(bit for phase, bit in PHASE_BITS.items() if phase not in UNCOMMITTED_PHASES)
# the rule's answer by (stances, phases) as bits, filled as combinations occur (a few dozen in practice)
STATUS_BY_MASKS: dict[int, str] = {}
