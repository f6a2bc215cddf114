"""Server-rendered pages: the public transparency page, the log page, a party's home and the plan page
with the actions the party may take. Views parse, authorise and call `record()`; nothing else."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...engine.rules.incidents import CATEGORIES
from ...figures.tables import TABLES
from ...scenario.report import departure_spread
from .. import clock
from ..api import keyset
from ..api.paging import INCIDENTS
from ..api.reads import plan_detail
from ..config import CONFIG
from ..exports import published
from ..ledger.models import StatementIndex
from ..ledger.record import Refused, current_fold, custodial, record_built
from ..parties.authz import admin_of, parties_for
from ..parties.models import Party
from ..passages.history import plan_statements, timeline_window
from . import actions, receipt_form, refusals, signing, summaries, zones
from .bidi import isolate
from .labels import label
from .page_links import paged
from .plan_page import KEPT_WHOLE, plan_context
from .precompute import public_summary
from .signatures import log_statements
from .templatetags.corridor import party_name


def public(request):
    """From the figures published at the latest checkpoint and the precomputed aggregates (both refreshed by
    the worker as the log grows)."""
    context = {**public_summary(), **published.page_summary(), "exports": list(TABLES)}
    if context.get("totals"):  # the goods categories in words, for the chart (its script) and its table alike
        rows = context["totals"].get("tonnes_by_category") or ()
        context["totals"] = context["totals"] | {"tonnes_by_category": [
            [label(category, "category"), *rest] for category, *rest in rows]}
    return render(request, "web/public.html", context)


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
    # a party with no plan of its own waiting (a mediator, an observer): the operation's waits instead
    operation, operation_count = summaries.operation_waits() if not (awaiting_count or awaits_count) else ([], 0)
    return render(request, "web/home.html", {
        "parties": Party.objects.filter(pk__in=parties_for(request.user, "view")), "awaiting": awaiting,
        "awaiting_count": awaiting_count, "awaits": awaits, "awaits_count": awaits_count,
        "watched": admin_of(request.user), "operation": operation, "operation_count": operation_count,
    })


def plan(request, plan_id: str):
    return _plan_page(request, plan_id)


def _plan_page(request, plan_id: str, typed: receipt_form.Typed | None = None):
    """The plan page; `typed`: a delivery receipt sent back (filled in as declared, or refused) with its values."""
    statements = plan_statements(plan_id, KEPT_WHOLE)  # read once: every version and inspection is shown
    try:
        detail = plan_detail(request, plan_id, statements)
    except Refused as error:
        raise Http404(error.message) from None
    state = current_fold().state
    live = state.plans[plan_id]
    acting = _acting_parties(request, plan_id)
    offered = {party: actions.available(live, party, state.routes) for party in acting}
    receiving = {action.leg for offer in offered.values() for action in offer if action.kind == "leg.deliver"}
    return render(request, "web/plan.html", {
        "plan": detail, "state": live, "offered": offered, "reasons": actions.REASONS,
        "published_size": _published_size(), "amend_as": [p for p in acting if actions.can_amend(live, p)],
        "decisions": actions.DECISIONS, "discrepancies": actions.DISCREPANCIES,
        "receipts": receipt_form.receipt_forms(live, receiving, detail, typed),
        "timeline_at": (before := _timeline_before(request)),
        **plan_context(detail, state, live, statements, (window := timeline_window(plan_id, before))),
        "timeline_earlier": paged(request, plan_id, "before", window[1]),
        "timeline_latest": paged(request, plan_id, "before", None),
    })


def _timeline_before(request) -> int | None:
    """The plan page's `?before=N`: its timeline shows the statements below log index N (the latest without)."""
    given = request.GET.get("before", "")
    return (int(given) or None) if given.isascii() and given.isdigit() and len(given) <= 18 else None


@require_POST
@login_required
def act(request, plan_id: str, kind: str):
    party = request.POST.get("as", "")
    if party not in _acting_parties(request, plan_id):
        raise Http404("no such plan among those your party takes part in")
    # the go board posts go from its own page and shows the legs released right after
    back = reverse("go-board" if request.POST.get("back") == "go-board" else "plan", args=[plan_id])
    if kind == "leg.deliver" and request.POST.get("fill"):  # "all received as declared": filled in, not recorded
        values = receipt_form.fill_as_received(request.POST, current_fold().state.plans[plan_id], request.POST["fill"])
        return _plan_page(request, plan_id, receipt_form.Typed(request.POST.get("leg", ""), values))
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
        messages.success(request, f"{actions.LABELS.get(kind, kind)} — {isolate(party_name(party))}")
    except Refused as error:
        if signing.wants_prepare(request):
            return signing.refusal(error)
        early = actions.too_early_to_go(current_fold().state.plans[plan_id]) if kind == "plan.go" else None
        if early:
            messages.error(request, early)
        else:
            refusals.show(request, error)
        if kind == "leg.deliver" and error.code in receipt_form.SENT_BACK:  # the receipt again, as it was typed
            values = {name: request.POST.getlist(name) for name in request.POST}
            return _plan_page(request, plan_id, receipt_form.Typed(request.POST.get("leg", ""), values,
                                                                   error.details or []))
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


BEFORE_GO = frozenset({"planned", "arrived", "held", "cleared"})  # a leg no go has released yet


def go_board(request, plan_id: str):
    """Every leg's gate status by route name, refreshed by htmx; go is offered once the legs may go."""
    fold = current_fold()
    routes, state = fold.state.routes, fold.state.plans.get(plan_id)
    if state is None:
        raise Http404("no such plan")
    acting = [p for p in _acting_parties(request, plan_id) if p == state.requester
              or "escort" in state.required.get(p, ())]
    template = "web/go_board_legs.html" if request.headers.get("HX-Request") else "web/go_board.html"
    phases = [leg.phase for leg in state.legs.values()]
    # simultaneous legs go together, once every one is cleared; independent legs each go once cleared
    ready = all(p == "cleared" for p in phases) if state.simultaneous else "cleared" in phases
    # when go is taken, against the window: asked only for those who may give it (the window is theirs to see)
    go = actions.go_action(state, clock.now()) if acting and ready else None
    response = render(request, template, {"plan": state, "legs": _gate_rows(state, routes), "acting": acting,
                                          "all_cleared": ready, "spread": departure_spread(state), "go": go,
                                          "party_names": {p: fold.state.parties[p].name for p in acting},
                                          "gone": _go_given(state),
                                          "go_to_come": not state.closed and any(p in BEFORE_GO for p in phases)})
    response["Cache-Control"] = "no-store"  # the board is live: never a stale copy after go
    return response


def _go_given(state) -> list[dict]:
    """Each go given on the plan (when, and by which party, by name), from the statement index: one indexed
    query for the plan's few go statements, so the board refreshed every 5 s stays cheap (a go is never signed
    offline, so never relayed under another type)."""
    rows = StatementIndex.objects.filter(plan=state.id, type="plan.go").order_by("idx").values_list("time", "party")
    return [{"at": at, "party_name": party_name(party)} for at, party in rows]


def _gate_rows(state, routes: dict) -> list[dict]:
    rows = []
    for leg in state.content.legs:
        live, route = state.legs[leg.id], routes.get(leg.route)
        checkpoint = next((c for c in route.checkpoints if c.id == live.checkpoint), None) if route else None
        rows.append({"id": leg.id, "route": route.name if route else leg.route, "phase": live.phase,
                     "checkpoint": checkpoint.name if checkpoint else live.checkpoint,
                     "released": live.released_at, "departed": live.departed_at,
                     "delivered": live.delivered_at})
    return rows


def incidents(request):
    """Claims and disputes side by side; a signed-in party reports or disputes."""
    from ..exports.tables import incident_rows, incidents_query, latest_disputes

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
            messages.error(request, refusals.explain(error))
            return HttpResponseRedirect(reverse("incidents"))
        if signing.wants_prepare(request):
            return signing.prepare(request, signing.Ask(party, kind, payload), reverse("incidents"))
        _record_incident_statement(request, party, kind, payload)
        return HttpResponseRedirect(reverse("incidents"))
    # by keyset off the (reported_at, id) index: any page costs the same, however deep (never an OFFSET)
    page = keyset.window(incidents_query(), INCIDENTS, INCIDENTS_PAGE, request.GET.get("after"),
                         request.GET.get("before"))
    rows = [row | {"dispute_rows": latest_disputes(claim)}
            for row, claim in zip(incident_rows(page.rows), page.rows, strict=True)]
    return render(request, "web/incidents.html", {
        "incidents": rows, "parties": parties, "links": _incident_links(page),
        "categories": sorted(CATEGORIES), "mapped": _mapped(rows), "empty_totals": {},
        "crossings": zones.crossings(clock.now()),
    })


INCIDENTS_PAGE = 50  # claims on the incidents page at once, newest first; each with its latest disputes


def _incident_links(page: keyset.Window) -> dict[str, str | None]:
    """The newest, newer and older pages' addresses (a cursor is URL-safe base64: nothing to quote)."""
    path = reverse("incidents")
    return {"newest": None if page.first else path, "newer": page.previous and f"{path}?before={page.previous}",
            "older": page.next and f"{path}?after={page.next}"}


def _mapped(rows: list[dict]) -> list[dict]:
    """The page's claims that name a place by its coordinates, for its map (as summaries.mapped_incidents)."""
    return [{"id": row["incident"], "lat": float(row["lat"]), "lon": float(row["lon"]), "category": row["category"],
             "place": row["place"], "reporter": row["reporter"], "disputed": row["dispute_count"] > 0}
            for row in rows if row["lat"] is not None and row["lon"] is not None]


def _incident_statement(post) -> tuple[str, dict]:
    if post.get("dispute"):
        return "incident.dispute", {"incident": post["dispute"], "text": post.get("text", "")}
    place = {"name": post.get("place", "")} | {k: post[k] for k in ("lat", "lon") if post.get(k)}
    return "incident.report", {"incident": post.get("incident", ""), "category": post.get("category", ""),
                               "place": place, "occurred_from": actions.on_clock(  # typed on the crossing's clock
                                   post.get("occurred_from"), zones.crossing_zone(post.get("crossing"))),
                               "text": post.get("text", "")}


def _record_incident_statement(request, party: str, kind: str, payload: dict) -> None:
    try:
        signing.refuse_server_signing(request, party)
        record_built([custodial(party, kind, payload)])
        messages.success(request, _("Recorded and signed."))
    except Refused as error:
        messages.error(request, refusals.explain(error))
