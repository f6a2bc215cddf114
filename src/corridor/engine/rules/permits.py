"""Passage permits on the log: the operator's service issues one per vehicle of a leg cleared for passage,
and revokes it when the plan changes under it (amendment, withdrawal, cancellation).

The permit itself (plate, window, what it carries) is signed off the log and held by the driver; the log
keeps its digest, so anyone can later tell whether a permit shown at a barrier was issued, for which plan
version, and whether it was revoked (docs/permits.md)."""

from __future__ import annotations

from ..errors import refuse
from ..model import Leg
from ..state import PermitRecord, PlanState, State
from ..statements import IssuePermit, RevokePermit, Statement
from .common import existing_plan, find_leg, open_plan

# a leg is cleared for passage while the plan is scheduled (every consent, slot confirmed), or already in
# progress with this leg not yet released through its gate
PASSAGE_STATUSES = frozenset({"scheduled", "in_progress"})
BEFORE_RELEASE = frozenset({"planned", "arrived", "held", "cleared"})


def issue(state: State, st: Statement, now: int) -> None:
    plan = open_plan(state, st)
    claim: IssuePermit = st.payload
    leg = find_leg(plan, claim.leg)
    _require_cleared(plan, leg)
    if claim.version != plan.version:
        raise refuse("permit.stale_version", f"plan {plan.id} is at version {plan.version[:12]}…, "
                                             f"not {claim.version[:12]}…")
    if not any(vehicle.id == claim.vehicle for vehicle in leg.vehicles):
        raise refuse("vehicle.unknown_on_leg", f"leg {leg.id} has no vehicle {claim.vehicle!r}")
    if claim.permit in plan.permits:
        raise refuse("permit.exists", f"plan {plan.id} already has a permit {claim.permit}")
    live = live_permit(plan, leg.id, claim.vehicle)
    if live is not None:
        raise refuse("permit.duplicate",
                     f"vehicle {claim.vehicle} of leg {leg.id} holds permit {live}; revoke it first")
    plan.permits[claim.permit] = PermitRecord(leg=leg.id, vehicle=claim.vehicle, version=claim.version,
                                              digest=claim.digest, issued_at=now, consents=claim.consents)


def revoke(state: State, st: Statement, now: int) -> None:
    """Allowed on a closed plan too: a cancellation closes the plan, and its permits are revoked after."""
    plan = existing_plan(state, st)
    claim: RevokePermit = st.payload
    record = plan.permits.get(claim.permit)
    if record is None:
        raise refuse("permit.unknown", f"plan {plan.id} has no permit {claim.permit!r}")
    if record.revoked_at is not None:
        raise refuse("permit.revoked", f"permit {claim.permit} was revoked ({record.reason})")
    record.revoked_at, record.reason = now, claim.reason


def live_permit(plan: PlanState, leg_id: str, vehicle_id: str) -> str | None:
    """The id of the vehicle's permit that is not revoked, if any."""
    for permit_id, record in plan.permits.items():
        if record.leg == leg_id and record.vehicle == vehicle_id and record.revoked_at is None:
            return permit_id
    return None


def _require_cleared(plan: PlanState, leg: Leg) -> None:
    if plan.status not in PASSAGE_STATUSES or plan.legs[leg.id].phase not in BEFORE_RELEASE:
        raise refuse("permit.not_cleared", f"leg {leg.id} of plan {plan.id} is not cleared for passage "
                                           f"(plan {plan.status}, leg {plan.legs[leg.id].phase})")
