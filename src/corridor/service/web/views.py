"""Server-rendered pages: the public transparency page, the log page, a party's home and the plan page
with the actions the party may take. Views parse, authorise and call `record()`; nothing else."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..api.reads import plan_detail
from ..config import CONFIG
from ..ledger.record import Refused, current_fold, custodial, record_built
from ..parties.authz import parties_for
from ..parties.models import Party
from . import actions, summaries


def public(request):
    return render(request, "web/public.html", {
        "totals": summaries.public_totals(), "stages": summaries.stage_durations(), "board": summaries.board(),
        "incidents": summaries.mapped_incidents(), "exports": ["plans", "legs", "lines", "incidents", "waiting",
                                                              "stats"],
    })


def log_page(request):
    path = CONFIG.tiles_dir / "checkpoint"
    note = path.read_text() if path.is_file() else ""
    lines = note.split("\n")
    index = request.GET.get("index", "").strip()
    return render(request, "web/log.html", {
        "note": note, "origin": lines[0] if note else "", "size": int(lines[1]) if note else 0,
        "index": int(index) if index.isdigit() else None,
    })


@login_required
def home(request):
    parties = parties_for(request.user, "view_private")
    return render(request, "web/home.html", {
        "parties": Party.objects.filter(pk__in=parties), "awaiting": summaries.awaiting_my_party(parties),
        "awaits": summaries.my_party_awaits(parties),
    })


def plan(request, plan_id: str):
    try:
        detail = plan_detail(request, plan_id)
    except Refused as error:
        raise Http404(error.message) from None
    state = current_fold().state
    acting = _acting_parties(request, plan_id)
    offered = {party: actions.available(state.plans[plan_id], party, state.routes) for party in acting}
    return render(request, "web/plan.html", {
        "plan": detail, "state": state.plans[plan_id], "offered": offered, "reasons": actions.REASONS,
        "decisions": actions.DECISIONS, "discrepancies": actions.DISCREPANCIES,
    })


@require_POST
@login_required
def act(request, plan_id: str, kind: str):
    party = request.POST.get("as", "")
    if party not in _acting_parties(request, plan_id):
        raise Http404("no such plan among those your party takes part in")
    try:
        payload = actions.payload_from(kind, request.POST, current_fold().state.plans[plan_id])
        record_built([custodial(party, kind, payload, plan=plan_id)])
        messages.success(request, f"{actions.LABELS.get(kind, kind)} — {party}")
    except Refused as error:
        messages.error(request, f"[{error.code}] {error.message}")
    return HttpResponseRedirect(reverse("plan", args=[plan_id]))


def _acting_parties(request, plan_id: str) -> list[str]:
    """The user's parties that may sign and take part in this plan (requester or required)."""
    if not request.user.is_authenticated:
        return []
    state = current_fold().state.plans.get(plan_id)
    if state is None:
        return []
    return [p for p in parties_for(request.user, "sign") if p == state.requester or p in state.required]
