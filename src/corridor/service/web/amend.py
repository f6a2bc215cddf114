"""Amend a plan from its page (the requester): each leg's lines as a small spreadsheet (CSV text, with the vehicle
that carries each line), its vehicles (id, plate, type) and seals; a leg may be dropped. "Review" shows, line by
line, what the amendment changes; "Amend" signs plan.amend. Everything not on the form (route, direction, crew,
linkage, tolerance, expiry) is kept as it is, so the form never silently drops what the plan said.

The form carries the version it was rendered from: an amendment made meanwhile is refused (version.stale) rather
than overwritten. Plates kept as they were keep their commitment, so an unchanged vehicle is unchanged on the log.
"""

from __future__ import annotations

import copy
import csv
import io
from dataclasses import dataclass, field

import msgspec
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from ...engine.state import PlanState
from ..imports.manifest import ManifestError, read_manifest
from ..ledger.record import Refused, current_fold, custodial, record_built
from ..parties.authz import parties_for
from ..passages.private import current_plates
from . import refusals, signing
from .actions import can_amend
from .leg_names import leg_names
from .manifest_words import row_problems
from .plan_diff import changes
from .refused_lines import refused_lines

LINE_COLUMNS = ("id", "item", "category", "quantity", "unit", "weight_kg", "vehicle")


@dataclass
class Amendment:
    """The amended content (plates in clear where changed, commitments where kept) and what is wrong with it."""

    content: dict
    errors: list[str] = field(default_factory=list)
    crew: dict[str, list[dict]] | None = None  # a new leg's crew in clear (committed when signed); None: none


@login_required
def amend(request, plan_id: str):
    plan, party = _plan_and_party(request, plan_id)
    if not can_amend(plan, party):  # the requester, told why on the plan's page
        messages.error(request, _("Plan %(plan)s can no longer be amended: it is closed or already moving.")
                       % {"plan": plan_id})
        return HttpResponseRedirect(reverse("plan", args=[plan_id]))
    values = _form_values(plan) if request.method != "POST" else request.POST
    routes = current_fold().state.routes
    context = {"plan": plan, "party": party, "legs": _legs_for_form(plan, values), "values": values,
               "routes": sorted(routes.values(), key=lambda route: route.name), "new_leg": new_leg_id(plan),
               "refused": refused_lines(plan)}  # what the refusals ask of this amendment, in words
    if request.method == "POST":
        amendment = read_amendment(request.POST, plan)
        context.update(errors=amendment.errors, reviewed=True,
                       changes=changes(msgspec.to_builtins(plan.content), _committed(amendment.content), routes))
        if request.POST.get("action") == "amend" and not amendment.errors:
            answer = _record(request, plan, party, amendment)
            if answer is not None:
                return answer
    return render(request, "web/amend.html", context)


def _plan_and_party(request, plan_id: str) -> tuple[PlanState, str]:
    """The plan and the user's party that requested it; any other user is told the plan does not exist."""
    plan = current_fold().state.plans.get(plan_id)
    wanted = request.POST.get("as") or request.GET.get("as")
    parties = [p for p in parties_for(request.user, "sign") if plan is not None and p == plan.requester]
    if plan is None or not parties or (wanted and wanted not in parties):
        raise Http404(_("There is no plan %(plan)s your organisation requested.") % {"plan": plan_id})
    return plan, parties[0]


def _record(request, plan: PlanState, party: str, amendment: Amendment):
    back = reverse("plan", args=[plan.id])
    rendered = request.POST.get("version", "")
    try:
        if rendered != plan.version:
            from .staleness import explain

            raise Refused("version.stale", explain(plan, rendered), 409)
        if signing.wants_prepare(request):
            ask = signing.Ask(party, "plan.amend", amendment.content, plan.id, crew=amendment.crew,
                              rendered_version=rendered)
            return signing.custodial_answer(request, party) or signing.prepare(request, ask, back)
        signing.refuse_server_signing(request, party)

        def same_version(fold) -> None:
            if fold.state.plans[plan.id].version != rendered:
                from .staleness import explain

                raise Refused("version.stale", explain(fold.state.plans[plan.id], rendered), 409)

        record_built([custodial(party, "plan.amend", amendment.content, plan=plan.id, check=same_version,
                                crew=amendment.crew)])
    except Refused as error:
        if signing.wants_prepare(request):
            return signing.refusal(error)
        refusals.show(request, error)
        return None
    messages.success(request, _("Plan %(plan)s amended: every party is asked to consent again.") % {"plan": plan.id})
    return HttpResponseRedirect(back)


def read_amendment(post, plan: PlanState) -> Amendment:
    """The plan's content with each leg's lines, vehicles and seals as the form gives them."""
    content = msgspec.to_builtins(plan.content)
    amendment = Amendment(content)
    clear = {(row.leg_id, row.vehicle_id): row for row in current_plates(plan)}
    names = leg_names(plan.content.legs, current_fold().state.routes)  # messages name legs, not their ids
    legs = []
    for leg in content["legs"]:
        if post.get(f"drop-{leg['id']}"):
            continue
        name = names.get(leg["id"], leg["id"])
        leg["lines"] = _lines(post.get(f"lines-{leg['id']}", ""), name, amendment)
        leg["vehicles"] = _vehicles(post.get(f"vehicles-{leg['id']}", ""), leg, clear, amendment, name)
        leg["seals"] = [seal for seal in post.get(f"seals-{leg['id']}", "").replace(",", " ").split() if seal]
        known = {v["id"] for v in leg["vehicles"]}
        for line in leg["lines"]:
            if line.get("vehicle") and line["vehicle"] not in known:
                amendment.errors.append(_("%(leg)s: line %(line)s names vehicle %(vehicle)s, which the leg does not "
                                          "have.") % {"leg": name, "line": line["id"], "vehicle": line["vehicle"]})
        legs.append(leg)
    added = _added_leg(post, plan, amendment)
    if added is not None:
        legs.append(added)
    if not legs:
        amendment.errors.append(_("A plan keeps at least one leg: to call it off, cancel it instead."))
    content["legs"] = legs
    return amendment


def new_leg_id(plan: PlanState) -> str:
    """The next free "leg-N" of the plan."""
    taken = {leg.id for leg in plan.content.legs}
    return next(f"leg-{n}" for n in range(len(taken) + 1, len(taken) + 1000) if f"leg-{n}" not in taken)


def _added_leg(post, plan: PlanState, amendment: Amendment) -> dict | None:
    """A new leg, when the form names a route for one (its lines and vehicles as for the others)."""
    route = post.get("new-route", "").strip()
    if not route:
        return None
    if route not in current_fold().state.routes:
        amendment.errors.append(_("The new leg's route is unknown."))
        return None
    leg = {"id": new_leg_id(plan), "route": route,
           "direction": "reverse" if post.get("new-direction") == "reverse" else "forward", "vehicles": []}
    name = _("The new leg")
    leg["lines"] = _lines(post.get("lines-new", ""), name, amendment)
    leg["vehicles"] = _vehicles(post.get("vehicles-new", ""), leg, {}, amendment, name)
    leg["seals"] = [seal for seal in post.get("seals-new", "").replace(",", " ").split() if seal]
    crew = _crew(post.get("crew-new", ""), leg["vehicles"], amendment)
    if crew:
        amendment.crew = {leg["id"]: crew}
    return leg


def _crew(text: str, vehicles: list[dict], amendment: Amendment) -> list[dict]:
    """One member per row: name; document; optionally the vehicle they travel in (its id or its plate)."""
    by_name = {"".join(name.split()).upper(): v["id"] for v in vehicles for name in (v["id"], v["plate"])}
    crew = []
    for row in text.splitlines():
        name, document, vehicle = [*(cell.strip() for cell in row.split(";", 2)), "", ""][:3]
        if not (name and document):
            continue
        member = {"name": name, "document": document}
        if vehicle and "".join(vehicle.split()).upper() not in by_name:
            amendment.errors.append(_("The new leg, crew: %(given)s is not one of its vehicles (write its id or its "
                                      "plate).") % {"given": vehicle})
        elif vehicle:
            member["vehicle"] = by_name["".join(vehicle.split()).upper()]
        crew.append(member)
    return crew


def _lines(text: str, name: str, amendment: Amendment) -> list[dict]:
    """CSV text with a header row (the manifest's columns, and `vehicle`), read by the manifest reader; `name`
    is the leg's, for the messages."""
    data = text.strip().encode()
    if not data:
        amendment.errors.append(_("%(leg)s: list at least one line.") % {"leg": name})
        return []
    try:
        lines = read_manifest("amendment.csv", data)
    except ManifestError as error:
        details = [row["message"] for row in row_problems(error)]  # in the reader's language
        amendment.errors += [f"{name}: {detail}" for detail in details]
        return []
    vehicles = _column(text, "vehicle")
    for line in lines:
        line.pop("vehicle", None)
        if vehicles.get(line["id"]):
            line["vehicle"] = vehicles[line["id"]]
    return lines


def _column(text: str, name: str) -> dict[str, str]:
    """Each line id's value in column `name` (the manifest reader keeps only the manifest's own columns)."""
    rows = csv.DictReader(io.StringIO(text.strip()))
    rows.fieldnames = [(n or "").strip().lower() for n in rows.fieldnames or ()]
    return {(row.get("id") or "").strip(): (row.get(name) or "").strip() for row in rows}


def _vehicles(text: str, leg: dict, clear: dict, amendment: Amendment, name: str) -> list[dict]:
    """One vehicle per row: id, plate, type. A plate typed as it was keeps its commitment."""
    vehicles, seen = [], set()
    for row in csv.reader(io.StringIO(text.strip())):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        before = {v["id"]: v["plate"] for v in leg["vehicles"]}  # the leg's vehicles as the plan has them
        if len(cells) >= 2 and cells[0] in before and not cells[1]:
            cells[1] = before[cells[0]]  # a plate this service cannot open (committed by the party): kept
        if len(cells) < 2 or not cells[0] or not cells[1]:
            amendment.errors.append(_("%(leg)s: each vehicle row is: id, plate, type.") % {"leg": name})
            continue
        vehicle_id, plate = cells[0], cells[1]
        kind = (cells[2] if len(cells) > 2 else "") or "truck"
        if vehicle_id in seen:
            amendment.errors.append(_("%(leg)s: vehicle %(vehicle)s is listed twice.") % {
                "leg": name, "vehicle": vehicle_id})
            continue
        seen.add(vehicle_id)
        kept = clear.get((leg["id"], vehicle_id))
        vehicles.append({"id": vehicle_id, "plate": kept.commitment if kept and kept.plate == plate else plate,
                         "type": kind})
    return vehicles


def _committed(content: dict) -> dict:
    """The content as the log would show it, for the review's comparison: plates typed anew marked as new."""
    shown = copy.deepcopy(content)
    for leg in shown.get("legs", ()):
        for vehicle in leg.get("vehicles", ()):
            if len(vehicle["plate"]) != 64:
                vehicle["plate"] = "new:" + vehicle["plate"]
    return shown


def _form_values(plan: PlanState) -> dict:
    """The form as the plan stands: lines as CSV, vehicles with their plates in clear, seals."""
    plates = {(row.leg_id, row.vehicle_id): row.plate for row in current_plates(plan)}
    values = {}
    for leg in plan.content.legs:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(LINE_COLUMNS)
        for line in leg.lines:
            writer.writerow([line.id, line.item, line.category, line.quantity, line.unit, line.weight_kg,
                             line.vehicle or ""])
        values[f"lines-{leg.id}"] = out.getvalue()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for vehicle in leg.vehicles:
            writer.writerow([vehicle.id, plates.get((leg.id, vehicle.id), ""), vehicle.type])
        values[f"vehicles-{leg.id}"] = out.getvalue()
        values[f"seals-{leg.id}"] = " ".join(leg.seals)
    return values


def _legs_for_form(plan: PlanState, values) -> list[dict]:
    routes = current_fold().state.routes
    return [{"id": leg.id, "route": routes[leg.route].name if leg.route in routes else leg.route,
             "lines": values.get(f"lines-{leg.id}", ""), "vehicles": values.get(f"vehicles-{leg.id}", ""),
             "seals": values.get(f"seals-{leg.id}", ""), "drop": bool(values.get(f"drop-{leg.id}"))}
            for leg in plan.content.legs]
