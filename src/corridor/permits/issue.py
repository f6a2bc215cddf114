"""Which permits a plan's state calls for, and what each says: pure, so the service and the tests share it.

The service knows what the log does not (the plates and the window in clear, kept private), so it hands
them in; the engine state says which legs are cleared for passage and which permits are live."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..engine.model import Route
from ..engine.rules.permits import BEFORE_RELEASE, PASSAGE_STATUSES, live_permit
from ..engine.state import PlanState
from .document import NONCE_BYTES, LineSummary, Permit


@dataclass(frozen=True)
class Due:
    """A permit the plan calls for and does not have: (leg, vehicle), with the id it will get."""

    permit: str
    leg: str
    vehicle: str


@dataclass(frozen=True)
class Stale:
    """A live permit the plan no longer supports (its version was amended, or the plan stopped)."""

    permit: str
    reason: str


# a plan's status → why its live permits are revoked
REVOCATION_REASONS = {"withdrawn": "withdrawal", "refused": "refusal", "cancelled": "cancellation",
                      "expired": "other", "aborted": "other", "awaiting_consent": "amendment",
                      "submitted": "amendment", "cleared": "rescheduled"}  # cleared: a new slot, not yet confirmed


def due_permits(plan: PlanState) -> list[Due]:
    """One permit per vehicle of each leg cleared for passage that holds no live permit."""
    if plan.status not in PASSAGE_STATUSES:
        return []
    due = []
    for leg in plan.content.legs:
        if plan.legs[leg.id].phase not in BEFORE_RELEASE:
            continue
        for vehicle in leg.vehicles:
            if live_permit(plan, leg.id, vehicle.id) is None:
                due.append(Due(_next_id(plan, leg.id, vehicle.id), leg.id, vehicle.id))
    return due


def stale_permits(plan: PlanState) -> list[Stale]:
    """Live permits to revoke: issued for an earlier version (an amendment), or on a plan no longer cleared."""
    stale = []
    for permit_id, record in plan.permits.items():
        if record.revoked_at is not None:
            continue
        if record.version != plan.version:
            stale.append(Stale(permit_id, "amendment"))
        elif plan.status not in PASSAGE_STATUSES and plan.status != "completed":
            stale.append(Stale(permit_id, REVOCATION_REASONS.get(plan.status, "other")))
    return stale


def build_permit(plan: PlanState, route: Route, due: Due, *, issuer: str, plate: str, window: tuple[int, int],
                 consents: tuple[int, ...], log: tuple[int, bytes], now: int) -> Permit:
    leg = plan.content.leg(due.leg)
    vehicle = next(v for v in leg.vehicles if v.id == due.vehicle)
    carried = [line for line in leg.lines if line.vehicle in (None, vehicle.id)]
    return Permit(
        id=due.permit, issuer=issuer, plan=plan.id, version=plan.version, leg=leg.id, route=route.id,
        checkpoints=tuple(checkpoint.id for checkpoint in route.checkpoints), vehicle=vehicle.id, plate=plate,
        vehicle_type=vehicle.type, start=window[0], end=window[1], tolerance=plan.content.tolerance_seconds,
        lines=tuple(LineSummary(line.item, line.quantity, line.unit) for line in carried),
        consents=consents, log_size=log[0], log_root=log[1], issued=now, nonce=os.urandom(NONCE_BYTES),
    )


def _next_id(plan: PlanState, leg_id: str, vehicle_id: str) -> str:
    issued = sum(1 for r in plan.permits.values() if r.leg == leg_id and r.vehicle == vehicle_id)
    return f"{leg_id}.{vehicle_id}.{issued + 1}"

