"""Read endpoints: lists with filters and pagination, plan detail, waiting-on table, public aggregates,
downloads. Lists and plan detail come from the read models, filtered through `visible_to` and the privacy
rules in `exports.tables`; downloads, aggregates and the waiting-on board are the figures published at a
checkpoint (`exports.published`), the same for everyone."""

from __future__ import annotations

import json
from typing import Annotated

from django.db.models import Prefetch, Q
from django.http import HttpResponse
from ninja import Field, File, NinjaAPI, Query, Schema
from ninja.files import UploadedFile
from pydantic import StringConstraints

from ...engine.state import State
from ...engine.times import format_duration
from ...figures import formats
from ...figures.summary import SUMMARY
from ..config import CONFIG
from ..exports import published, tables
from ..imports.manifest import ManifestError, read_manifest
from ..incidents.models import Dispute, Incident
from ..ledger.models import StatementIndex
from ..ledger.record import Refused, current_fold
from ..ledger.signatures import signed_in_name_of, statement_row
from ..parties.authz import is_admin, parties_for, visible_to
from ..passages import history, selection
from ..passages.models import (
    Attestation,
    AttestedLine,
    CrewMember,
    Leg,
    Plan,
    Position,
    SlotWindow,
    Vehicle,
    VehiclePlate,
)
from ..passages.offline import with_outcome
from . import paging
from .auth import acting_party, user_of
from .openapi import PLAN_DETAIL, Statement
from .paging import COUNT_LIMIT, MAX_PAGE, Paging, by_plan, page_of

# a filter or id from the query or path: bounded, and without NUL, which no database column takes
Text = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]


class PlanQuery(Paging):
    status: Text | None = None
    requester: Text | None = None
    party: Text | None = None
    route: Text | None = None
    linkage: Text | None = None


class LegQuery(Paging):
    plan: Text | None = None
    route: Text | None = None
    phase: Text | None = None
    status: Text | None = None


class LineQuery(Paging):
    plan: Text | None = None
    category: Text | None = None


class IncidentQuery(Paging):
    category: Text | None = None
    reporter: Text | None = None
    plan: Text | None = None


class WaitingQuery(Paging):
    party: Text | None = None
    plan: Text | None = None
    now: bool = Field(False, description="only who is waited on now")


class AttestationQuery(Paging):
    dataset: Text | None = None
    crossing: Text | None = None


class SignaturesQuery(Schema):
    before: int | None = Field(None, ge=1, le=10**18, description="only statements below this log index (the previous "
                                                        "page's next_before)")
    page_size: int = Field(50, ge=1, le=MAX_PAGE, description=f"rows per page, at most {MAX_PAGE}")


class TimelineQuery(Schema):
    before: int | None = Field(None, ge=1, le=10**18, description="only statements below this log index (the plan "
                               "detail's timeline_before, or the previous page's next_before)")
    page_size: int = Field(history.TIMELINE_PAGE, ge=1, le=history.MAX_TIMELINE_PAGE,
                           description=f"statements per page, at most {history.MAX_TIMELINE_PAGE}")


class Timeline(Schema):
    """A page of a plan's statements, the latest below `before`, in log order (oldest first); `next_before` reads
    the ones before them (null on the plan's first page)."""

    results: list[Statement]
    next_before: int | None


class WatchedStatement(Statement):
    about_party: bool = Field(description="true: not signed in the party's name but by the operator, about the "
                              "party's keys (the party registered, a key registered for it, one of its keys revoked); "
                              "false also for an offline.relay carrying what one of its members signed offline in its "
                              "name (its `offline` says who, when and with what effect)")


class Signatures(Schema):
    """A page of the statements signed in a party's name and of the operator's about its keys, newest first;
    `next_before` fetches the next."""

    results: list[WatchedStatement]
    next_before: int | None


class Page(Schema):
    """One page of a list: the rows, and how many there are in all (counted up to COUNT_LIMIT)."""

    count: int = Field(description=f"how many rows the list has in all, or {COUNT_LIMIT:,} when it has more "
                                   f"(then count_exact is false)")
    count_exact: bool
    page: int
    page_size: int
    next: str | None = Field(description="the cursor for the page after this one (as `after`), or null on the "
                                         "last page")
    results: list[dict]


PAGE = {200: Page}
ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
# reads of the published figures: none before the first checkpoint or at a size the log did not sign (404),
# and older sizes are computed a few a minute (429)
PUBLISHED_ERRORS = {
    "404": {"description": "No checkpoint published yet (export.unpublished), or none at that size "
                           "(export.size_unpublished)", "content": ERROR_BODY},
    "429": {"description": "Too many older sizes asked for at once (export.busy): try again in a minute",
            "content": ERROR_BODY},
}
DOWNLOAD = {"responses": {"200": {"description": "The table as a file", "content": {
    "text/csv": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "object"}}}},
    **PUBLISHED_ERRORS}}


def _filters(given: Schema, allowed: dict[str, str]) -> Q:
    q = Q()
    for name, lookup in allowed.items():
        if getattr(given, name):
            q &= Q(**{lookup: getattr(given, name)})
    return q


def plan_filter(given: PlanQuery) -> Q:
    q = _filters(given, {"status": "status", "requester": "requester_id", "linkage": "linkage"})
    # per-plan lookups rather than joins: the newest plans are read off the index in order and each is checked
    # by its own legs or positions, or, when a route or party has few plans, those plans are read by their ids
    # (selection.few_or_each), so a page costs the same on any log
    if given.route:  # a route few plans took: their ids (else each plan walked would be checked, to the end)
        q &= selection.few_or_each(Leg.objects.filter(route_id=given.route))
    if given.party:  # a party asked about few plans: their ids; about many: checked plan by plan (selection)
        q &= Q(requester_id=given.party) | selection.few_or_each(Position.objects.filter(party_id=given.party))
    return q


def private_plans(request, ids: list[str]) -> set[str]:
    user = user_of(request)
    return set(Plan.objects.filter(visible_to(user, "view_private"), pk__in=ids).values_list("id", flat=True))


def plan_list_rows(request):
    def rows(plans):
        plans = tables.with_awaited(plans)
        private = private_plans(request, [p.id for p in plans])
        return with_private_windows(tables.plan_rows(plans, private), plans, private)

    return rows


def with_private_windows(rows, plans: list[Plan], private: set[str]):
    """The plan rows with the current slot's window in clear for readers that may see it before the reveal
    (the read model holds only revealed windows)."""
    commitments = {p.id: p.slot_commitment for p in plans if p.id in private and p.slot_commitment}
    windows = {(w.plan_id, w.commitment): w for w in SlotWindow.objects.filter(
        plan_id__in=list(commitments), commitment__in=list(commitments.values()))}
    for row in rows:
        window = windows.get((row["plan"], commitments.get(row["plan"])))
        if window is not None:
            row["slot_start"], row["slot_end"] = window.start, window.end
        yield row


def _conditions(state, plan_id: str, party: str) -> list[str]:
    """The conditions a consent carried (public, as the log is), from the fold: the read model keeps none."""
    live = state.plans.get(plan_id)
    position = live.positions.get(party) if live is not None else None
    return list(position.conditions) if position is not None else []


def plan_detail(request, plan_id: str, statements: list | None = None) -> dict:
    """`statements`: the plan's inspections (and any other of its statements), when the caller read them already;
    the plan page does, and shows a timeline of its own (no `timeline` here then)."""
    plan = tables.plans_query(Q(pk=plan_id)).first()
    if plan is None:
        raise Refused("plan.not_found", f"there is no plan {plan_id!r}", 404)
    private = plan_id in private_plans(request, [plan_id])
    visible = {plan_id} if private else set()
    [summary] = with_private_windows(tables.plan_rows(tables.with_awaited([plan]), visible), [plan], visible)
    legs = list(tables.leg_rows(tables.legs_query(Q(plan_id=plan_id))))
    state = current_fold().state
    seen = _private_window_and_plates(plan) if private else _revealed(plan)
    return {
        **summary,
        "legs": legs,
        "lines": list(tables.line_rows(tables.lines_query(Q(leg__plan_id=plan_id)))),
        "positions": [
            {"party": p.party_id, "capacities": p.capacities, "stance": p.stance, "at": tables.iso(p.at),
             "reason": p.reason, "text": p.text, "conditions": _conditions(state, plan_id, p.party_id)}
            for p in plan.positions.order_by("party_id")
        ],
        "waiting": [dict(row, waited=format_duration(row["waited_seconds"])) for row in
                    tables.waiting_rows(tables.waiting_query(Q(plan_id=plan_id)))],
        **(_timeline(plan_id, state) if statements is None else {}),
        "crew": _crew(state, plan_id) if private else None,
        **seen,
        "vehicles": _vehicles(state, plan_id, seen["plates"]) if private else None,
        "inspections": _inspections(state, plan_id, seen["plates"], statements),  # plates: the private or revealed ones
    }


def _timeline(plan_id: str, state: State) -> dict:
    """The plan's latest statements, in log order, and `timeline_before` to read the earlier ones (null when
    these are all of them): GET /plans/{id}/timeline?before=."""
    rows, before = history.timeline_window(plan_id)
    return {"timeline": timeline_rows(rows, state), "timeline_before": before}


def timeline_rows(rows: list[StatementIndex], state: State) -> list[dict]:
    return [with_outcome(statement_row(s), s, state) for s in rows]


def dispute_rows(disputes) -> list[dict]:
    return [{"party": d.party_id, "text": d.text, "at": tables.iso(d.at)} for d in disputes]


def _vehicles(state, plan_id: str, plates: list[dict]) -> list[dict] | None:
    """For the plan's parties: each vehicle with its plate and the lines it carries (ManifestLine.vehicle)."""
    live = state.plans.get(plan_id)
    if live is None:
        return None
    clear = {(p["leg"], p["vehicle"]): p["plate"] for p in plates or ()}
    return [{"leg": leg.id, "vehicle": v.id, "type": v.type, "plate": clear.get((leg.id, v.id)),
             "lines": [line.id for line in leg.lines if line.vehicle == v.id]}
            for leg in live.content.legs for v in leg.vehicles]


def _inspections(state, plan_id: str, plates: list[dict], statements: list | None) -> list[dict]:
    """Every inspection line by line; each vehicle's plate only for the plan's parties."""
    live = state.plans.get(plan_id)
    if live is None:
        return []
    clear = {(p["leg"], p["vehicle"]): p["plate"] for p in plates or ()}
    rows = history.inspections(state, live, statements)
    for row in rows:
        row["vehicles"] = history.by_vehicle(row, clear)
    return rows


def _revealed(plan: Plan) -> dict:
    """What the log revealed (with the salts, so anyone can check the commitments); None before."""
    return {"window": plan.revealed.get("window"), "plates": plan.revealed.get("plates")}


def _private_window_and_plates(plan: Plan) -> dict:
    """For the plan's parties: the current window and the plates in clear, revealed on the log or not."""
    window = SlotWindow.objects.filter(plan_id=plan.id, commitment=plan.slot_commitment).first()
    current = set(Vehicle.objects.filter(leg__plan_id=plan.id).values_list("commitment", flat=True))
    plates = VehiclePlate.objects.filter(plan_id=plan.id, commitment__in=current).order_by("leg_id", "vehicle_id")
    revealed = plan.revealed
    return {
        "window": None if window is None else {
            "slot": window.slot_id, "start": window.start, "end": window.end, "salt": window.salt,
            "commitment": window.commitment, "revealed": "window" in revealed},
        "plates": [{"leg": p.leg_id, "vehicle": p.vehicle_id, "plate": p.plate, "salt": p.salt,
                    "commitment": p.commitment,
                    "revealed": any(r["commitment"] == p.commitment for r in revealed.get("plates", []))}
                   for p in plates],
    }


def _crew(state: State, plan_id: str) -> list[dict]:
    """The plan's crew in clear, each with the vehicle the current version seats them in (None: the leg)."""
    plan = state.plans.get(plan_id)
    seats = {leg.id: leg.crew_vehicles() for leg in plan.content.legs} if plan is not None else {}
    return [{"leg": c.leg_id, "name": c.name, "document": c.document, "commitment": c.commitment, "salt": c.salt,
             "vehicle": seats.get(c.leg_id, {}).get(c.commitment)}
            for c in CrewMember.objects.filter(plan_id=plan_id).order_by("leg_id", "id")]


def attestation_row(a: Attestation) -> dict:
    """A data source's record: its passage fields, and each line with the quantity in the source's unit, the
    weight (null where the source gave none, never 0) and the source's row as published."""
    return {
        "passage": a.passage, "source": a.source_id, "dataset": a.dataset, "reference": a.reference,
        "crossing": a.crossing, "carrier": a.carrier, "origin": a.origin, "departed": _day(a.departed),
        "cleared": _day(a.cleared), "received": _day(a.received),
        "tonnes": None if a.weight_kg is None else a.weight_kg / 1000,
        "kind": "attested by the source, not consented on Corridor",
        "lines": [{"item": line.item, "category": line.category, "quantity": line.quantity, "unit": line.unit,
                   "weight_kg": line.weight_kg, "destination": line.destination, "published": line.published}
                  for line in a.lines.all()],
    }


def _day(day) -> str | None:
    return None if day is None else day.isoformat()


class ExportQuery(Schema):
    size: int | None = Field(None, ge=1, le=2**53 - 1, description="the log size (of a signed checkpoint) to compute "
                             "the table at; default: the latest published figures")


def download(table_name: str, fmt: str, size: int | None) -> HttpResponse:
    """A public table as published at a checkpoint: the bytes `corridor audit --at SIZE` writes."""
    if (table_name, fmt) == ("summary", "json"):  # the public page's figures, `corridor audit` writes it too
        name = SUMMARY
    elif table_name not in tables.TABLES or fmt not in formats.FORMATS:
        raise Refused("export.unknown", f"exports: {', '.join(tables.TABLES)} as {', '.join(formats.FORMATS)}, "
                                        f"and {SUMMARY}", 404)
    else:
        name = formats.file_name(table_name, fmt)
    data, checkpoint = published.read(size, name)
    response = HttpResponse(data, content_type=f"{formats.MEDIA_TYPES[fmt]}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="corridor-{checkpoint.size}-{name}"'
    # at a given size the figures never change; the latest move on with the log
    response["Cache-Control"] = "public, max-age=31536000, immutable" if size is not None else "public, max-age=30"
    return with_checkpoint(response, checkpoint)


def with_checkpoint(response: HttpResponse, checkpoint) -> HttpResponse:
    """The checkpoint the figures were computed at, in headers too (the file states it in its first line)."""
    response["Corridor-Log-Origin"] = checkpoint.origin
    response["Corridor-Log-Size"] = str(checkpoint.size)
    response["Corridor-Log-Root"] = formats.root_text(checkpoint)
    return response


def published_rows(table_name: str, size: int | None = None) -> dict:
    """A published table's rows (JSON numbers) with the checkpoint they were computed at."""
    data, _ = published.read(size, formats.file_name(table_name, "json"))
    document = json.loads(data)
    return {"checkpoint": document["checkpoint"], "results": document["rows"]}


def register(api: NinjaAPI) -> None:
    @api.get("/plans", summary="Plans (filters: status, requester, party, route, linkage; page, page_size)",
             tags=["reads"], response=PAGE)
    def list_plans(request, given: Query[PlanQuery]):
        return page_of(given, tables.plans_query(plan_filter(given)), plan_list_rows(request), paging.PLANS)

    @api.get("/plans/{plan}", summary="One plan: legs, lines, positions, waiting clocks, timeline", tags=["reads"],
             openapi_extra=PLAN_DETAIL)
    def get_plan(request, plan: Text):
        return plan_detail(request, plan)

    @api.get("/plans/{plan}/timeline", summary="A plan's statements, a page at a time: the latest below `before`, "
             "in log order", tags=["reads"], response={200: Timeline})
    def plan_timeline(request, plan: Text, given: Query[TimelineQuery]):
        if not Plan.objects.filter(pk=plan).exists():
            raise Refused("plan.not_found", f"there is no plan {plan!r}", 404)
        rows, next_before = history.timeline_window(plan, given.before, given.page_size)
        return {"results": timeline_rows(rows, current_fold().state), "next_before": next_before}

    @api.get("/legs", summary="Legs with their route, status, requester, stage dates and weight", tags=["reads"],
             response=PAGE)
    def list_legs(request, given: Query[LegQuery]):
        q = _filters(given, {"plan": "plan_id", "route": "route_id", "phase": "phase"})
        if given.status:
            q &= Q(plan__status=given.status)
        # one plan's legs; those of a phase or route, newest first off leg_phase_newest / leg_route_newest however
        # few match; or none to walk the plans for. Else (all legs, or by the plans' status) plan by plan.
        if given.plan or given.phase or given.route or not tables.legs_query(q).exists():
            return page_of(given, tables.legs_query(q), tables.leg_rows, paging.LEGS)
        plans = Plan.objects.filter(Q(status=given.status) if given.status else Q()).order_by("-submitted_at", "id")
        items = by_plan(plans.values_list("id", flat=True), lambda ids: tables.legs_query(q & Q(plan_id__in=ids)),
                        given, paging.LEGS, paging.PLANS)
        return page_of(given, tables.legs_query(q), tables.leg_rows, paging.LEGS, items)

    @api.get("/lines", summary="Manifest lines (filters: plan, category)", tags=["reads"],
             response=PAGE)
    def list_lines(request, given: Query[LineQuery]):
        q = _filters(given, {"plan": "leg__plan_id", "category": "category"})
        if given.plan or not tables.lines_query(q).exists():
            return page_of(given, tables.lines_query(q), tables.line_rows, paging.LINES)
        plans = Plan.objects.order_by("id").values_list("id", flat=True)
        items = by_plan(plans, lambda ids: tables.lines_query(q & Q(leg__plan_id__in=ids)), given, paging.LINES,
                        paging.PLAN_IDS)
        return page_of(given, tables.lines_query(q), tables.line_rows, paging.LINES, items)

    @api.get("/incidents", summary="Incident claims with their disputes, side by side", tags=["reads"],
             response=PAGE)
    def list_incidents(request, given: Query[IncidentQuery]):
        q = _filters(given, {"category": "category", "reporter": "reporter_id", "plan": "plan"})
        return page_of(given, tables.incidents_query(q), tables.incident_rows, paging.INCIDENTS)

    @api.get("/incidents/{incident}", summary="One incident claim and its disputes", tags=["reads"])
    def get_incident(request, incident: Text):
        found = tables.incidents_query(Q(pk=incident))
        if not found:
            raise Refused("incident.not_found", f"there is no incident {incident!r}", 404)
        return next(tables.incident_rows(found))

    @api.get("/incidents/{incident}/disputes", summary="Every dispute of one claim, in log order (page, page_size)",
             tags=["reads"], response=PAGE)
    def list_disputes(request, incident: Text, given: Query[Paging]):
        if not Incident.objects.filter(pk=incident).exists():
            raise Refused("incident.not_found", f"there is no incident {incident!r}", 404)
        return page_of(given, Dispute.objects.filter(incident_id=incident).order_by("id"), dispute_rows,
                       paging.DISPUTES)

    @api.get("/waiting", summary="Who is waited on, per plan and party, with live totals", tags=["reads"],
             response=PAGE)
    def list_waiting(request, given: Query[WaitingQuery]):
        q = _filters(given, {"party": "party_id", "plan": "plan_id"})
        if given.now:
            q &= Q(waiting_since__isnull=False)
        return page_of(given, tables.waiting_query(q), tables.waiting_rows, paging.WAITING)

    @api.get("/waiting/board", summary="Per party: plans it is waited on for, now and in all, total and median",
             tags=["reads"])
    def waiting_on_board(request):
        summary = published.page_summary()
        return {"checkpoint": summary["checkpoint"], "results": summary["board"]}

    @api.get("/stats", summary="Public aggregates (also per source for imported records), as published at the "
             "latest checkpoint (or at ?size=N)", tags=["reads"], openapi_extra={"responses": PUBLISHED_ERRORS})
    def stats(request, given: Query[ExportQuery]):
        return published_rows("stats", given.size)

    @api.get("/attestations", summary="Passages attested by data sources (imports), each line as the source "
             "published it", tags=["reads"], response=PAGE)
    def list_attestations(request, given: Query[AttestationQuery]):
        q = _filters(given, {"dataset": "dataset", "crossing": "crossing"})
        query = Attestation.objects.filter(q).order_by("dataset", "passage") \
            .prefetch_related(Prefetch("lines", queryset=AttestedLine.objects.order_by("id")))  # the source's order
        return page_of(given, query, lambda rows: [attestation_row(a) for a in rows], paging.ATTESTATIONS)

    @api.get("/export/{table}.{fmt}", summary="Download a public table as csv, json or hxl, computed from the log "
             "at the latest published checkpoint (or at ?size=N, a size the log signed a checkpoint at); "
             "summary.json: the public page's figures",
             tags=["reads"], openapi_extra=DOWNLOAD)
    def export(request, table: Text, fmt: Text, given: Query[ExportQuery]):
        return download(table, fmt, given.size)

    @api.get("/parties/{party}/signatures", summary="Every statement signed in the party's name, and the "
             "operator's about its keys, newest first, and how each was signed (the party's admins)",
             tags=["reads"], response={200: Signatures})
    def party_signatures(request, party: Text, given: Query[SignaturesQuery]):
        user = user_of(request)
        if not user.is_authenticated:
            raise Refused("auth.required", "sign in with an API token of one of the party's admins", 401)
        if not is_admin(user, party):
            raise Refused("party.not_found", f"you are not an admin of a party {party!r}", 404)
        results, next_before = signed_in_name_of(party, given.before, given.page_size)
        return {"results": results, "next_before": next_before}

    @api.get("/me", summary="Who the token belongs to and what it may do for which party", tags=["reads"])
    def me(request):
        user = user_of(request)
        if not user.is_authenticated:
            raise Refused("auth.required", "no API token given", 401)
        return {"user": user.username, "parties": {a: parties_for(user, a) for a in ("view_private", "sign",
                                                                                      "import", "manage")}}

    @api.post("/manifest/parse", summary="Read manifest lines from a CSV or XLSX upload (row errors listed)",
              tags=["imports"])
    def parse_manifest(request, file: File[UploadedFile]):
        acting_party(request, "import")
        if file.size > CONFIG.max_upload_bytes:
            raise Refused("upload.too_large", f"the file is larger than {CONFIG.max_upload_bytes:,} bytes", 413)
        try:
            return {"lines": read_manifest(file.name or "", file.read())}
        except ManifestError as error:
            raise Refused(error.code, error.message, 422, error.rows) from None


__all__ = ["Incident", "register"]
