"""The printable passage permit (A4, or shown on a phone): what the driver carries, with its QR code.

Private (plate, window): only the parties of the passage see it; anyone else gets 404, as if it did not
exist. The QR code is an SVG served from the origin (no inline script, no data: URL for the CSP to allow)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from ...engine.times import format_time
from ...permits import cose, document, qr
from ..ledger.record import current_fold
from ..parties.authz import parties_for
from ..parties.models import Party
from ..permits.models import IssuedPermit


@login_required
def permit_page(request, plan_id: str, permit_id: str):
    row, plan = _visible_permit(request, plan_id, permit_id)
    permit = document.decode(cose.decode_sign1(bytes(row.signed)).payload)
    state = current_fold().state
    route = state.routes.get(permit.route)
    names = {c.id: c.name for c in route.checkpoints} if route else {}
    record = plan.permits.get(permit.id)
    text = qr.to_text(bytes(row.signed))
    return render(request, "web/permit.html", {
        "permit": permit, "digest": row.digest, "text": text, "log_index": row.log_index,
        "route_name": route.name if route else permit.route,
        "checkpoints": [names.get(c, c) for c in permit.checkpoints],
        "requester": _party_name(plan.requester),
        "start": format_time(permit.start), "end": format_time(permit.end),
        "issued": format_time(permit.issued), "tolerance_minutes": permit.tolerance // 60,
        "log_root": permit.log_root.hex(), "revoked": record is not None and record.revoked_at is not None,
        "revoked_reason": record.reason if record else None,
    })


@login_required
def permit_qr(request, plan_id: str, permit_id: str):
    row, _ = _visible_permit(request, plan_id, permit_id)
    response = HttpResponse(qr.svg(qr.to_text(bytes(row.signed)), scale=5), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"  # a plate in a picture is still a plate
    return response


def _visible_permit(request, plan_id: str, permit_id: str):
    plan = current_fold().state.plans.get(plan_id)
    involved = {plan.requester, *plan.required} if plan is not None else set()
    if not involved & set(parties_for(request.user, "view_private")):
        raise Http404("no such permit among the passages your party takes part in")
    row = IssuedPermit.objects.filter(plan_id=plan_id, permit_id=permit_id).first()
    if row is None:
        raise Http404("no such permit")
    return row, plan


def _party_name(party_id: str) -> str:
    return Party.objects.filter(pk=party_id).values_list("name", flat=True).first() or party_id
