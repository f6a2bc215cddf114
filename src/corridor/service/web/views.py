"""Server-rendered pages: the public transparency page, the log page, a party's home and the plan page
with the actions the party may take. Views parse, authorise and call `record()`; nothing else."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...engine.rules.incidents import CATEGORIES
from ...engine.state import CLOSED_STATUSES
from ...engine.times import parse_time
from ...figures.tables import TABLES
from ...scenario.report import departure_spread
from .. import clock
from ..api.reads import plan_detail
from ..config import CONFIG
from ..exports import published
from ..ledger.record import Refused, current_fold, custodial, record_built
from ..parties.authz import admin_of, parties_for
from ..parties.models import Party
from ..passages.models import Leg
from ..passages.private import current_plates, current_window
from . import actions, signing, summaries
from .precompute import public_summary
from .signatures import log_statements


def public(request):
    """From the figures published at the latest checkpoint and the precomputed aggregates (both refreshed by
    the worker as the log grows)."""
    return render(request, "web/public.html", {
        **public_summary(), **published.page_summary(), "exports": list(TABLES),
    })


def log_page(request):
    path = CONFIG.tiles_dir / "checkpoint"
    note = path.read_text() if path.is_file() else ""
    lines = note.split("\n")
    index = request.GET.get("index", "").strip()
    signers = {line.split(" ")[1] for line in note.split("\n\n", 1)[-1].splitlines() if line.startswith("— ")}
    witnesses = [{"url": url, "name": key.split("+")[0], "cosigned": key.split("+")[0] in signers}
                 for url, key in CONFIG.witnesses]
    size, index = int(lines[1]) if note else 0, int(index) if index.isdigit() else None
    return render(request, "web/log.html", {
        "note": note, "origin": lines[0] if note else "", "size": size,
        "index": index, "witnesses": witnesses,
        "quorum": CONFIG.witness_quorum or len(witnesses), **log_statements(request.GET, size, index),
    })


@login_required
def home(request):
    parties = parties_for(request.user, "view_private")
    awaiting, awaiting_count = summaries.awaiting_my_party(parties)
    awaits, awaits_count = summaries.my_party_awaits(parties)
    return render(request, "web/home.html", {
        "parties": Party.objects.filter(pk__in=parties), "awaiting": awaiting, "awaiting_count": awaiting_count,
        "awaits": awaits, "awaits_count": awaits_count, "watched": admin_of(request.user),
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
        "published_size": _published_size(),
        "decisions": actions.DECISIONS, "discrepancies": actions.DISCREPANCIES,
    })


@require_POST
@login_required
def act(request, plan_id: str, kind: str):
    party = request.POST.get("as", "")
    if party not in _acting_parties(request, plan_id):
        raise Http404("no such plan among those your party takes part in")
    back = reverse("plan", args=[plan_id])
    if signing.wants_prepare(request) and (custodial_only := signing.custodial_answer(request, party)):
        return custodial_only
    try:
        payload = actions.payload_from(kind, request.POST, current_fold().state.plans[plan_id])
        if signing.wants_prepare(request):
            version = request.POST.get("version", "") if kind in actions.NEEDS_RENDERED_VERSION else None
            return signing.prepare(request, signing.Ask(party, kind, payload, plan_id, rendered_version=version), back)
        signing.refuse_server_signing(request, party)
        rendered = partial(actions.check_rendered, kind, request.POST)  # under the writer lock, on the latest fold
        record_built([custodial(party, kind, payload, plan=plan_id,
                                check=lambda fold: rendered(fold.state.plans[plan_id]))])
        messages.success(request, f"{actions.LABELS.get(kind, kind)} — {party}")
    except Refused as error:
        if signing.wants_prepare(request):
            return signing.refusal(error)
        messages.error(request, f"[{error.code}] {error.message}")
    return HttpResponseRedirect(back)


def _published_size() -> int:
    """How many entries the latest published (signed, and cosigned if witnessed) checkpoint covers."""
    path = CONFIG.tiles_dir / "checkpoint"
    return int(path.read_text().split("\n")[1]) if path.is_file() else 0


def _acting_parties(request, plan_id: str) -> list[str]:
    """The user's parties that may sign and take part in this plan (requester or required)."""
    if not request.user.is_authenticated:
        return []
    state = current_fold().state.plans.get(plan_id)
    if state is None:
        return []
    return [p for p in parties_for(request.user, "sign") if p == state.requester or p in state.required]


def go_board(request, plan_id: str):
    """Every leg's gate status, refreshed by htmx; go is offered only when every leg is cleared."""
    state = current_fold().state.plans.get(plan_id)
    if state is None:
        raise Http404("no such plan")
    acting = [p for p in _acting_parties(request, plan_id) if p == state.requester
              or "escort" in state.required.get(p, ())]
    template = "web/go_board_legs.html" if request.headers.get("HX-Request") else "web/go_board.html"
    return render(request, template, {"plan": state, "legs": _gate_rows(state), "acting": acting,
                                      "all_cleared": all(leg.phase == "cleared" for leg in state.legs.values()),
                                      "spread": departure_spread(state)})


def _gate_rows(state) -> list[dict]:
    return [{"id": leg.id, "route": leg.route, "phase": state.legs[leg.id].phase,
             "checkpoint": state.legs[leg.id].checkpoint, "departed": state.legs[leg.id].departed_at}
            for leg in state.content.legs]


@login_required
def checkpoint_screen(request, checkpoint_id: str):
    """Tablet-first: legs at this checkpoint waiting for inspection, and legs expected here today. Who is
    expected when is for the parties of those passages (and observers), never for anonymous visitors."""
    state = current_fold().state
    parties = set(parties_for(request.user, "sign"))
    involved = _checkpoint_viewer(request.user)
    here, expected = [], []
    for plan in _open_plans_through(state, checkpoint_id):
        if plan.closed or not (involved is None or involved & ({plan.requester} | set(plan.required))):
            continue
        for leg in plan.content.legs:
            route = state.routes[leg.route]
            checkpoint = next((c for c in route.checkpoints if c.id == checkpoint_id), None)
            if checkpoint is None:
                continue
            live = plan.legs[leg.id]
            window = _window_for(plan, parties)
            if not (live.checkpoint == checkpoint_id or _expected_today(plan, live, window)):
                continue
            inspecting = sorted(parties & set(checkpoint.inspected_by))
            row = {"plan": plan.id, "leg": leg.id, "phase": live.phase, "window": window, "lines": leg.lines,
                   "seals": leg.seals, "mine": bool(inspecting), "inspecting": inspecting, "checkpoint": checkpoint,
                   "plates": _plates_for(plan, leg.id, parties), "version": plan.version}
            (here if live.checkpoint == checkpoint_id and live.phase in ("arrived", "held") else expected).append(row)
    if not here and not expected and not any(c.id == checkpoint_id for r in state.routes.values()
                                             for c in r.checkpoints):
        raise Http404("no such checkpoint")
    return render(request, "web/checkpoint.html", {"checkpoint_id": checkpoint_id, "here": here,
                                                    "expected": expected, "decisions": actions.DECISIONS,
                                                    "discrepancies": actions.DISCREPANCIES})


def _open_plans_through(state, checkpoint_id: str) -> list:
    """The open plans with a leg on a route through the checkpoint that is moving, scheduled or at it: read
    from the legs table through its indexes, never by walking every plan the log ever had."""
    routes = [route.id for route in state.routes.values() if any(c.id == checkpoint_id for c in route.checkpoints)]
    legs = Leg.objects.filter(route_id__in=routes).exclude(plan__status__in=CLOSED_STATUSES) \
        .filter(Q(plan__status__in=("in_progress", "scheduled")) | Q(checkpoint=checkpoint_id))
    ids = dict.fromkeys(legs.order_by("plan__submitted_at", "plan_id").values_list("plan_id", flat=True))
    return [state.plans[plan_id] for plan_id in ids if plan_id in state.plans]


def _checkpoint_viewer(user) -> set[str] | None:
    """The parties whose passages `user` may see on a checkpoint screen; None for an observer (all of them)."""
    if Party.objects.filter(pk__in=parties_for(user, "view"), kind="observer").exists():
        return None
    return set(parties_for(user, "view_private"))


def _is_party(plan, parties: set[str]) -> bool:
    return bool(parties & ({plan.requester} | set(plan.required)))


def _window_for(plan, parties: set[str]):
    """The slot's window in clear, for the plan's signed-in parties only (the public log has a commitment)."""
    return current_window(plan) if plan.status == "scheduled" and _is_party(plan, parties) else None


def _plates_for(plan, leg_id: str, parties: set[str]) -> list[str]:
    if not _is_party(plan, parties):
        return []
    return [row.plate for row in current_plates(plan) if row.leg_id == leg_id]


def _expected_today(plan, live, window) -> bool:
    """A leg not yet moving whose plan's slot opens today (UTC, by the server's clock; known to the
    plan's parties only), or that is moving."""
    if live.phase in ("delivered", "turned_back"):
        return False
    if plan.status == "in_progress":
        return True
    today = clock.now() // 86400
    return plan.status == "scheduled" and window is not None and parse_time(window.start) // 86400 == today


def incidents(request):
    """Claims and disputes side by side; a signed-in party reports or disputes."""
    from ..exports.tables import incident_rows, incidents_query

    parties = parties_for(request.user, "sign") if request.user.is_authenticated else []
    if request.method == "POST" and parties:
        party = request.POST.get("as") if request.POST.get("as") in parties else parties[0]
        if signing.wants_prepare(request) and (custodial_only := signing.custodial_answer(request, party)):
            return custodial_only
        try:
            kind, payload = _incident_statement(request.POST)
        except Refused as error:
            if signing.wants_prepare(request):
                return signing.refusal(error)
            messages.error(request, f"[{error.code}] {error.message}")
            return HttpResponseRedirect(reverse("incidents"))
        if signing.wants_prepare(request):
            return signing.prepare(request, signing.Ask(party, kind, payload), reverse("incidents"))
        _record_incident_statement(request, party, kind, payload)
        return HttpResponseRedirect(reverse("incidents"))
    return render(request, "web/incidents.html", {
        "incidents": list(incident_rows(incidents_query())), "parties": parties,
        "categories": sorted(CATEGORIES), "mapped": summaries.mapped_incidents(), "empty_totals": {},
    })


def _incident_statement(post) -> tuple[str, dict]:
    if post.get("dispute"):
        return "incident.dispute", {"incident": post["dispute"], "text": post.get("text", "")}
    place = {"name": post.get("place", "")} | {k: post[k] for k in ("lat", "lon") if post.get(k)}
    return "incident.report", {"incident": post.get("incident", ""), "category": post.get("category", ""),
                               "place": place, "occurred_from": actions._utc(post.get("occurred_from")),
                               "text": post.get("text", "")}


def _record_incident_statement(request, party: str, kind: str, payload: dict) -> None:
    try:
        signing.refuse_server_signing(request, party)
        record_built([custodial(party, kind, payload)])
        messages.success(request, _("Recorded and signed."))
    except Refused as error:
        messages.error(request, f"[{error.code}] {error.message}")
