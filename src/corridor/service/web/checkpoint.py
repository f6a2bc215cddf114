"""The tablet checkpoint screen: the vehicles waiting here for inspection, each with the form an inspecting
officer fills in vehicle by vehicle; the vehicles cleared here and waiting for go; those expected today.

Who sees what: the passages listed are those of the viewer's parties (observers: every passage, but never
when one is expected, since the window is private); plates, crew and windows only to the plan's parties.
The inspection form posts here (`inspect`), not to the plan page: a refusal comes back on this screen with
everything typed still in the form and each problem beside its field, and a recorded inspection returns to
the screen for the next vehicle. Parsing is web/inspection_form.py's, shared with the plan page's form."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...engine.model import Checkpoint, Leg
from ...engine.rules.movement import seals_on
from ...engine.state import CLOSED_STATUSES, LegState, PlanState, State
from ...engine.times import parse_time
from ...ledger.commitments import plate_value, verify_reveal, window_value
from .. import clock
from ..ledger.record import Refused, current_fold, custodial, record_built
from ..parties.authz import parties_for
from ..parties.models import Party
from ..passages.models import CrewMember, SlotWindow, VehiclePlate
from ..passages.models import Leg as LegRow
from . import refusals, signing
from .actions import check_rendered
from .bidi import isolate
from .context import passkeys
from .earlier_inspections import earlier_inspections
from .inspection_form import (
    DECISIONS,
    UNDECLARED_ROWS,
    VehicleGroup,
    fill_as_declared,
    gone_lines,
    inspection_payload,
    vehicle_groups,
)
from .labels import label
from .leg_names import leg_names

DISCREPANCIES = ("missing", "excess", "undeclared", "damaged", "seal_broken")
AT_CHECKPOINT = ("arrived", "held")  # waiting for an inspection here
CLEARED_HERE = ("cleared", "released")  # inspected (or an uninspected gate), waiting for go or to depart
SLOT_AGREED = ("scheduled", "in_progress")  # every party confirmed the slot; it stays agreed once vehicles move


@dataclass
class Private:
    """What only the plan's parties see, loaded for every plan on the screen at once (three queries)."""

    windows: dict[str, tuple[int, int]] = field(default_factory=dict)
    plates: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (plan, leg, vehicle) -> plate
    crew: dict[tuple[str, str], list[CrewMember]] = field(default_factory=dict)  # (plan, leg) -> members


@dataclass
class Viewer:
    private: set[str]  # the parties whose private data (plates, crew, windows) the user reads
    observer: bool  # an observer sees every passage here, without its private data

    def lists(self, plan: PlanState) -> bool:
        return self.observer or bool(self.private & _parties_of(plan))

    def reads_private(self, plan: PlanState) -> bool:
        return bool(self.private & _parties_of(plan))


@login_required
def checkpoints(request):
    """Every checkpoint by route, with the vehicles waiting at each now; the user's own first, so an officer
    starting a shift finds the screen of their barrier. Where vehicles stand is public on the log."""
    state = current_fold().state
    mine = set(parties_for(request.user, "sign"))
    waiting = _vehicles_waiting()
    rows = [{"id": c.id, "name": c.name, "route": route.name, "waiting": waiting.get(c.id, 0),
             "inspectors": [_party_name(state, p) for p in c.inspected_by], "mine": bool(mine & set(c.inspected_by))}
            for route in sorted(state.routes.values(), key=lambda r: r.name) for c in route.checkpoints]
    return render(request, "web/checkpoints.html", {"rows": sorted(rows, key=lambda row: not row["mine"])})


def _vehicles_waiting() -> Counter:
    """Checkpoint id -> the vehicles (not legs: a leg may be a convoy of twenty trucks) waiting there now, from
    the legs and vehicles tables (one query, over the legs at a checkpoint); a leg naming no vehicle counts one."""
    legs = LegRow.objects.filter(plan__status="in_progress", phase__in=AT_CHECKPOINT) \
        .annotate(n=Count("vehicles")).values_list("checkpoint", "n")
    waiting: Counter = Counter()
    for checkpoint_id, vehicles in legs:
        waiting[checkpoint_id] += max(vehicles, 1)
    return waiting


@login_required
def checkpoint_screen(request, checkpoint_id: str):
    return _render(request, checkpoint_id)


@require_POST
@login_required
def inspect(request, checkpoint_id: str):
    """Record an inspection from the screen; on any refusal the screen again, with the typed values."""
    state = current_fold().state
    plan, leg, checkpoint = _inspected(state, request.POST, checkpoint_id)
    back = reverse("checkpoint", args=[checkpoint_id])
    inspecting = _inspecting(request.user, checkpoint)
    party = request.POST.get("as", "")
    if not inspecting or (party and party not in inspecting):
        raise Http404("your party does not inspect at this checkpoint")
    if request.POST.get("fill"):  # "all as declared" without JavaScript: the same screen, those counts filled in
        values = fill_as_declared(request.POST, plan, request.POST["fill"])
        return _render(request, checkpoint_id, typed={(plan.id, leg.id): (values, [])})
    if signing.wants_prepare(request) and party and (custodial_only := signing.custodial_answer(request, party)):
        return custodial_only
    try:
        payload = _payload(request.POST, plan, party)
        if signing.wants_prepare(request):
            ask = signing.Ask(party, "leg.inspect", payload, plan.id, rendered_version=request.POST.get("version", ""))
            return signing.prepare(request, ask, back)
        signing.refuse_server_signing(request, party)
        form = request.POST
        record_built([custodial(party, "leg.inspect", payload, plan=plan.id,
                                check=lambda fold: check_rendered("leg.inspect", form, fold.state.plans[plan.id]))])
    except Refused as error:
        if signing.wants_prepare(request):
            return signing.refusal(error)
        return _refused(request, checkpoint_id, plan, leg, error)
    messages.success(request, _("Inspection recorded: %(plan)s, %(leg)s — %(decision)s (%(party)s).") % {
        "plan": isolate(plan.id), "leg": isolate(leg_names(plan.content.legs, state.routes)[leg.id]),
        "decision": label(payload["decision"], "decision"), "party": isolate(_party_name(state, party))})
    return HttpResponseRedirect(back)


def _payload(form, plan: PlanState, party: str) -> dict:
    """The statement's payload; the party is asked for with the other problems, so they all come back at once."""
    try:
        payload = inspection_payload(form, plan)
    except Refused as error:
        if party or error.code != "inspection.incomplete":
            raise
        error.details.append(_choose_party())
        error.message = f"{error.message} {_choose_party()['message']}"
        raise
    if not party:
        raise Refused("inspection.incomplete", _choose_party()["message"], 422, details=[_choose_party()])
    return payload


def _choose_party() -> dict:
    return {"field": "as", "message": _("Choose the party you inspect for.")}


def _refused(request, checkpoint_id: str, plan: PlanState, leg: Leg, error: Refused):
    """The screen with the form as it was sent and what to do; or, when the vehicle is no longer waiting here
    (another officer recorded it meanwhile), the screen as it is now with the refusal on top."""
    problems = error.details if error.code == "inspection.incomplete" else [{"field": "",
                                                                            "message": refusals.explain(error)}]
    values = {name: request.POST.getlist(name) for name in request.POST}
    context = _context(request, checkpoint_id, typed={(plan.id, leg.id): (values, problems)})
    if any(card["plan"] == plan.id and card["leg"] == leg.id for card in context["here"]):
        return render(request, "web/checkpoint.html", context)  # 200: a form to correct, not a failed page
    refusals.show(request, error)
    return HttpResponseRedirect(reverse("checkpoint", args=[checkpoint_id]))


def _inspected(state: State, form, checkpoint_id: str) -> tuple[PlanState, Leg, Checkpoint]:
    """The plan, leg and checkpoint a submitted form is about, or 404 (never another party's plan by guessing)."""
    plan = state.plans.get(form.get("plan", ""))
    leg = plan.content.leg(form.get("leg", "")) if plan is not None else None
    if leg is None or form.get("checkpoint") != checkpoint_id:
        raise Http404("no such vehicle at this checkpoint")
    checkpoint = next((c for c in state.routes[leg.route].checkpoints if c.id == checkpoint_id), None)
    if checkpoint is None:
        raise Http404("no such vehicle at this checkpoint")
    return plan, leg, checkpoint


def _inspecting(user, checkpoint: Checkpoint) -> list[str]:
    """The user's parties that inspect at this checkpoint: the only ones offered, and the only ones taken."""
    return sorted(set(parties_for(user, "sign")) & set(checkpoint.inspected_by))


def _render(request, checkpoint_id: str, typed: dict | None = None):
    return render(request, "web/checkpoint.html", _context(request, checkpoint_id, typed))


def _context(request, checkpoint_id: str, typed: dict | None = None) -> dict:
    """The screen; `typed` holds, per (plan, leg), the values and problems of a form sent back."""
    state = current_fold().state
    checkpoint, routes = _checkpoint(state, checkpoint_id)
    viewer = _viewer(request.user)
    plans = [plan for plan in _open_plans_through(state, checkpoint_id) if viewer.lists(plan)]
    private = _private([plan for plan in plans if viewer.reads_private(plan)])
    inspecting = _inspecting(request.user, checkpoint)
    passkey_parties = passkeys(request)["passkey_parties"]
    here, cleared, expected = [], [], []
    for plan in plans:
        for leg in plan.content.legs:
            if leg.route not in routes:
                continue
            live = plan.legs[leg.id]
            if live.checkpoint == checkpoint_id and live.phase in AT_CHECKPOINT:
                sent = (typed or {}).get((plan.id, leg.id), ({}, []))
                card = _card(state, plan, leg, live, checkpoint, private, inspecting, sent, passkey_parties)
                here.append(card | {"earlier": _earlier(state, plan, leg, live, private, viewer.reads_private(plan))})
            elif live.checkpoint == checkpoint_id and live.phase in CLEARED_HERE:
                cleared.append(_row(state, plan, leg, live, private))
            elif _expected_today(plan, live, private.windows.get(plan.id)):
                expected.append(_row(state, plan, leg, live, private))
    return {
        "checkpoint": checkpoint, "routes": [state.routes[r].name for r in routes], "here": here, "cleared": cleared,
        "expected": expected, "decisions": DECISIONS, "discrepancies": DISCREPANCIES,
    }


def _checkpoint(state: State, checkpoint_id: str) -> tuple[Checkpoint, list[str]]:
    """The checkpoint and the routes through it (a checkpoint may serve several), or 404."""
    routes = [route for route in state.routes.values() if any(c.id == checkpoint_id for c in route.checkpoints)]
    if not routes:
        raise Http404("no such checkpoint")
    checkpoint = next(c for c in routes[0].checkpoints if c.id == checkpoint_id)
    return checkpoint, [route.id for route in routes]


def _viewer(user) -> Viewer:
    observer = Party.objects.filter(pk__in=parties_for(user, "view"), kind="observer").exists()
    return Viewer(set(parties_for(user, "view_private")), observer)


def _parties_of(plan: PlanState) -> set[str]:
    return {plan.requester} | set(plan.required)


def _open_plans_through(state: State, checkpoint_id: str) -> list[PlanState]:
    """The open plans with a leg on a route through the checkpoint that is moving, scheduled or at it: read
    from the legs table through its indexes, never by walking every plan the log ever had."""
    routes = [route.id for route in state.routes.values() if any(c.id == checkpoint_id for c in route.checkpoints)]
    legs = LegRow.objects.filter(route_id__in=routes).exclude(plan__status__in=CLOSED_STATUSES) \
        .filter(Q(plan__status__in=("in_progress", "scheduled")) | Q(checkpoint=checkpoint_id))
    ids = dict.fromkeys(legs.order_by("submitted_at", "plan_id").values_list("plan_id", flat=True))
    return [state.plans[plan_id] for plan_id in ids if plan_id in state.plans]


def _private(plans: list[PlanState]) -> Private:
    """Windows, plates and crew of these plans in clear, each checked against the commitment the log carries
    for the plan's current version (a row for an amended-away vehicle or slot is not shown)."""
    private = Private()
    ids = [plan.id for plan in plans]
    if not ids:
        return private
    slots = {plan.id: plan.slot.window for plan in plans if plan.slot is not None and plan.status in SLOT_AGREED}
    for row in SlotWindow.objects.filter(plan_id__in=list(slots), commitment__in=list(slots.values())):
        if slots.get(row.plan_id) == row.commitment and \
                verify_reveal(window_value(row.start, row.end), row.salt, row.commitment):
            private.windows[row.plan_id] = (parse_time(row.start), parse_time(row.end))
    vehicles = {(plan.id, v.plate): (leg.id, v.id) for plan in plans for leg in plan.content.legs for v in leg.vehicles}
    commitments = [commitment for _plan, commitment in vehicles]
    for row in VehiclePlate.objects.filter(plan_id__in=ids, commitment__in=commitments):
        where = vehicles.get((row.plan_id, row.commitment))
        if where is not None and verify_reveal(plate_value(row.plate), row.salt, row.commitment):
            private.plates[(row.plan_id, *where)] = row.plate
    crew = {(plan.id, leg.id, c): leg.crew_vehicles().get(c) for plan in plans for leg in plan.content.legs
            for c in leg.crew_commitments()}
    for member in CrewMember.objects.filter(plan_id__in=ids).order_by("id"):
        if (member.plan_id, member.leg_id, member.commitment) in crew:
            member.vehicle = crew[(member.plan_id, member.leg_id, member.commitment)]  # seated in, or None
            private.crew.setdefault((member.plan_id, member.leg_id), []).append(member)
    return private


def _expected_today(plan: PlanState, live: LegState, window: tuple[int, int] | None) -> bool:
    """A leg on the move, or not yet moving whose plan's slot opens today (UTC, by the server's clock; known
    to the plan's parties only)."""
    if live.phase in ("delivered", "turned_back"):
        return False
    if plan.status == "in_progress":
        return True
    return plan.status == "scheduled" and window is not None and window[0] // 86400 == clock.now() // 86400


def _row(state: State, plan: PlanState, leg: Leg, live: LegState, private: Private) -> dict:
    """A leg in the "cleared here" and "expected today" tables."""
    return {"plan": plan.id, "requester": _party_name(state, plan.requester), "leg": leg.id,
            "route": state.routes[leg.route].name, "phase": live.phase, "window": private.windows.get(plan.id),
            "vehicles": [_vehicle(plan, leg, v, private) for v in leg.vehicles],
            "released_at": live.released_at}


def _vehicle(plan: PlanState, leg: Leg, vehicle, private: Private) -> dict:
    return {"id": vehicle.id, "type": vehicle.type, "plate": private.plates.get((plan.id, leg.id, vehicle.id), "")}


def _card(state: State, plan: PlanState, leg: Leg, live: LegState, checkpoint: Checkpoint, private: Private,
          inspecting: list[str], typed: tuple[dict, list[dict]], passkey_parties) -> dict:
    """A vehicle (leg) waiting here, with its inspection form as it comes or as it was sent back."""
    values, problems = typed
    prefix = f"i-{plan.id}-{leg.id}"
    errors = {field: p.get("short", p["message"]) for p in problems for field in p.get("fields", [p.get("field")])
              if field}
    arrived = max((moment for moment, place in live.arrivals if place == checkpoint.id), default=None)
    seals = seals_on(leg, live)
    groups = [_group(plan, leg, group, private, values, errors) for group in vehicle_groups(leg, live)]
    undeclared = [{part: _first(values, f"undeclared-{part}-{n}") for part in ("item", "quantity", "unit")}
                  | {"n": n, "error": errors.get(f"undeclared-item-{n}")} for n in range(1, UNDECLARED_ROWS + 1)]
    return {
        "plan": plan.id, "leg": leg.id, "version": plan.version, "phase": live.phase, "prefix": prefix,
        "requester": _party_name(state, plan.requester), "route": state.routes[leg.route].name,
        "window": private.windows.get(plan.id),  # the plan's parties only
        "arrived_at": arrived, "waiting": clock.now() - arrived if arrived is not None else None,
        "groups": groups, "fillable": sum(1 for group in groups if group.get("lines")),
        "has_vehicles": bool(leg.vehicles), "gone": gone_lines(leg, live),
        "seals": [{"seal": seal, "answer": _first(values, f"seal-{seal}"), "error": errors.get(f"seal-{seal}")}
                  for seal in seals],
        "applied": _first(values, "applied"), "undeclared": undeclared,
        "undeclared_typed": any(row["item"] or row["quantity"] or row["unit"] for row in undeclared),
        "decision": _first(values, "decision"), "text": _first(values, "text"),
        "crew": private.crew.get((plan.id, leg.id), []),
        "numbers": {v.id: number for number, v in enumerate(leg.vehicles, start=1)},  # a seat's vehicle by number
        "inspecting": [{"id": p, "name": _party_name(state, p), "chosen": _first(values, "as") == p}
                       for p in inspecting],
        "signs_with_passkey": any(p in passkey_parties for p in inspecting),
        "problems": [p | {"anchor": _anchor(prefix, p.get("field", ""), seals)} for p in problems],
        "errors": errors,
    }


def _anchor(prefix: str, field_name: str, seals: list[str]) -> str:
    """The id of the element a problem is about, for the link in the list of problems."""
    if field_name.startswith("seal-") and field_name[5:] in seals:
        return f"{prefix}-seal-{seals.index(field_name[5:]) + 1}"
    if field_name.startswith(("found-", "undeclared-")) or field_name in ("decision", "text", "as"):
        return f"{prefix}-{field_name}"
    return f"{prefix}-goods" if field_name else ""


def _group(plan: PlanState, leg: Leg, group: VehicleGroup, private: Private, values: dict, errors: dict) -> dict:
    offload = set(values.get("offload", []))
    return {
        "key": group.key, "vehicle": _vehicle(plan, leg, group.vehicle, private) if group.vehicle else None,
        "number": group.number,  # how the screen names the vehicle (its id is no name)
        "applied": _first(values, f"applied-{group.key}") if group.vehicle else "",
        "lines": [{"line": row.line, "carried": row.carried, "changed": row.changed,
                   "found": _first(values, f"found-{row.line.id}"), "error": errors.get(f"found-{row.line.id}"),
                   "codes": set(values.get(f"codes-{row.line.id}", [])), "offload": row.line.id in offload}
                  for row in group.lines],
    }


def _earlier(state: State, plan: PlanState, leg: Leg, live: LegState, private: Private, detailed: bool) -> list:
    """The inspections already recorded on this leg (here, held; or at an earlier checkpoint): what was found,
    by vehicle, to the plan's parties only (web/earlier_inspections.py)."""
    plates = {vehicle: plate for (plan_id, leg_id, vehicle), plate in private.plates.items()
              if (plan_id, leg_id) == (plan.id, leg.id)}
    return earlier_inspections(state, leg, live, plates, detailed)


def _party_name(state: State, party: str) -> str:
    known = state.parties.get(party)
    return known.name if known is not None else party


def _first(values: dict, name: str) -> str:
    found = values.get(name) or [""]
    return found[-1] if isinstance(found, list) else found
