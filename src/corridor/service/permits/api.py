"""`GET /api/v1/plans/{plan}/permits`: a passage's permits, for its parties (the driver's phone, an app).

Private (each permit holds its plate and window): the parties of the passage with the right to see private
objects get them; anyone else is answered 404, as for a plan that does not exist."""

from __future__ import annotations

from ninja import NinjaAPI, Schema

from ...permits import qr
from ..ledger.record import Refused, current_fold
from ..parties.authz import parties_for
from .models import IssuedPermit


class PermitOut(Schema):
    permit: str
    leg: str
    vehicle: str
    digest: str
    issued_index: int
    revoked_index: int | None
    reason: str
    text: str  # the QR text, "CP1:..." (docs/permits.md)
    page: str  # the printable permit


class PermitsOut(Schema):
    results: list[PermitOut]


def register(api: NinjaAPI) -> None:
    @api.get("/plans/{plan}/permits", summary="A passage's signed permits, for its parties (private)",
             tags=["reads"], response={200: PermitsOut})
    def plan_permits(request, plan: str):
        from ..api.auth import user_of

        state = current_fold().state.plans.get(plan)
        involved = {state.requester, *state.required} if state is not None else set()
        if not involved & set(parties_for(user_of(request), "view_private")):
            raise Refused("plan.not_found", f"there is no plan {plan!r}", 404)
        rows = IssuedPermit.objects.filter(plan_id=plan).order_by("log_index")
        return {"results": [{
            "permit": row.permit_id, "leg": row.leg_id, "vehicle": row.vehicle_id, "digest": row.digest,
            "issued_index": row.log_index, "revoked_index": row.revoked_index, "reason": row.reason,
            "text": qr.to_text(bytes(row.signed)), "page": f"/plans/{plan}/permits/{row.permit_id}",
        } for row in rows]}
