"""Amend a plan from its page (the requester): each leg's lines as a table a logistics officer fills in (item,
category, quantity, unit, weight, the vehicle that carries it, remove), its vehicles as a table (plate, type,
remove) and its seals; a leg may be dropped and one added. "Review" shows, line by line, what the amendment
changes; "Amend" signs plan.amend. Everything not on the form (route, direction, crew of the legs the plan has,
linkage, tolerance, expiry) is kept as it is, so the form never silently drops what the plan said.

Nobody reads an id: lines and vehicles are rows, a line's vehicle is "Vehicle 2 — AB 123", and messages say
"Road A, line 3 (Wheat flour): …". The ids travel as hidden inputs and are checked against the leg (a row
naming a line or vehicle the leg does not have is refused); new lines and vehicles get ids made here.

The form carries the version it was rendered from, through every review and "More rows": an amendment made
meanwhile is refused (version.stale) rather than overwritten. Plates kept as they were keep their commitment,
so an unchanged vehicle is unchanged on the log. The form holds at most MAX_ROWS rows in all (Django reads at
most 1000 fields); a larger plan is amended through the API."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import msgspec
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import TooManyFieldsSent
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ...engine.model import LABEL_MAX_LENGTH
from ...engine.quantity import QuantityError, parse_quantity
from ...engine.state import PlanState
from ..ledger.record import Refused, current_fold, custodial, record_built
from ..parties.authz import parties_for
from ..passages.private import current_plates
from . import refusals, signing
from .actions import can_amend
from .leg_names import leg_names
from .line_choices import CATEGORIES, VEHICLE_TYPES, allowed, options
from .plan_diff import changes
from .refused_lines import refused_lines

MAX_ROWS = 100  # rows of all the tables together: 8 fields a line row at most, under Django's 1000 fields
BLANK_ROWS = {"lines": 3, "vehicles": 2, "crew": 2}  # offered at the end of each table, and added by "More rows"
LINE_FIELDS = ("id", "item", "category", "quantity", "unit", "weight", "vehicle", "remove")
VEHICLE_FIELDS = ("id", "plate", "type", "remove")
CREW_FIELDS = ("name", "document", "vehicle")
TABLES = {"lines": ("line", LINE_FIELDS), "vehicles": ("vehicle", VEHICLE_FIELDS), "crew": ("crew", CREW_FIELDS)}
MAX_PLATE = 40
MAX_TEXT = 4000  # the engine's longest text (an item)
REMOVED, EMPTY = "\0removed", "\0empty"  # what a vehicle row is when a line names it and it is no vehicle


@dataclass
class Amendment:
    """The amended content (plates in clear where changed, commitments where kept) and what is wrong with it."""

    content: dict
    errors: list[str] = field(default_factory=list)
    crew: dict[str, list[dict]] | None = None  # a new leg's crew in clear (committed when signed); None: none


@dataclass
class LegForm:
    """One leg's part of the form as typed (every cell a string): its rows, seals, whether it is dropped.
    `prefix` names its fields (leg1, leg2… by place in the plan; `new` for a leg added)."""

    prefix: str
    name: str
    leg_id: str
    lines: list[dict] = field(default_factory=list)
    vehicles: list[dict] = field(default_factory=list)
    crew: list[dict] = field(default_factory=list)
    seals: str = ""
    drop: bool = False

    def rows(self) -> int:
        return len(self.lines) + len(self.vehicles) + len(self.crew)


@dataclass
class AmendForm:
    version: str
    legs: list[LegForm]
    new: LegForm
    new_route: str = ""
    new_direction: str = "forward"
    errors: list[str] = field(default_factory=list)
    too_large: bool = False  # the plan has more rows than the form holds: amended through the API

    def rows(self) -> int:
        return sum(leg.rows() for leg in self.legs) + self.new.rows()

    def add_blank_rows(self, legs: list[LegForm]) -> bool:
        """BLANK_ROWS more in each table of `legs`, as room is left; False when none could be added."""
        room, added = MAX_ROWS - self.rows(), False
        for leg in legs:
            for table, count in BLANK_ROWS.items():
                if table == "crew" and leg.prefix != "new":
                    continue  # the crew of the plan's legs is not on the form
                for _n in range(min(count, room)):
                    getattr(leg, table).append(_blank(table))
                    room, added = room - 1, True
        return added


@login_required
def amend(request, plan_id: str):
    try:
        return _amend(request, plan_id)
    except TooManyFieldsSent:  # a form far larger than the one rendered: refused before anything is read
        messages.error(request, _too_many_rows())
        return HttpResponseRedirect(reverse("plan-amend", args=[plan_id]))


def _amend(request, plan_id: str):
    plan, party = _plan_and_party(request, plan_id)
    if not can_amend(plan, party):  # the requester, told why on the plan's page
        messages.error(request, _("Plan %(plan)s can no longer be amended: it is closed or already moving.")
                       % {"plan": plan_id})
        return HttpResponseRedirect(reverse("plan", args=[plan_id]))
    routes = current_fold().state.routes
    context = {"plan": plan, "party": party, "refused": refused_lines(plan),  # what refusals ask, in words
               "routes": sorted(routes.values(), key=lambda route: route.name)}
    if request.method != "POST":
        return render(request, "web/amend.html", context | _form_context(plan_form(plan), plan))
    form = posted_form(request.POST, plan)
    action = request.POST.get("action", "review")
    errors = list(form.errors)
    if action.startswith("more:"):
        if not form.add_blank_rows([leg for leg in [*form.legs, form.new] if leg.prefix == action[5:]]):
            errors.append(_too_many_rows())
        return render(request, "web/amend.html", context | _form_context(form, plan) | {"errors": errors})
    if form.version != plan.version:
        errors = [_stale(plan, form.version)]  # the rows may name what the plan no longer has: say only this
    else:
        amendment = read_form(form, plan)
        errors += amendment.errors
        if not errors:  # a review of rows still wrong would show what nobody meant ("None t")
            context.update(reviewed=True, changes=_review(plan, amendment, routes))
        if action == "amend" and not errors:
            answer = _record(request, plan, party, amendment, form.version)
            if answer is not None:
                return answer
    if signing.wants_prepare(request):  # nothing to sign: the page is posted as it is, to show what is wrong
        return JsonResponse({"custodial": True})
    return render(request, "web/amend.html", context | _form_context(form, plan) | {"errors": errors})


def _plan_and_party(request, plan_id: str) -> tuple[PlanState, str]:
    """The plan and the user's party that requested it; any other user is told the plan does not exist."""
    plan = current_fold().state.plans.get(plan_id)
    wanted = request.POST.get("as") or request.GET.get("as")
    parties = [p for p in parties_for(request.user, "sign") if plan is not None and p == plan.requester]
    if plan is None or not parties or (wanted and wanted not in parties):
        raise Http404(_("There is no plan %(plan)s your organisation requested.") % {"plan": plan_id})
    return plan, parties[0]


def _stale(plan: PlanState, rendered: str) -> str:
    from .staleness import explain

    return refusals.explain(Refused("version.stale", explain(plan, rendered), 409))


def _too_many_rows() -> str:
    return _("This form holds at most %(max)s rows in all (lines, vehicles and crew); nothing was signed. Amend a "
             "larger plan through the API.") % {"max": MAX_ROWS}


def _record(request, plan: PlanState, party: str, amendment: Amendment, rendered: str):
    back = reverse("plan", args=[plan.id])
    try:
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


# --- the form as rendered from the plan, and as posted ---------------------------------------------------------

def plan_form(plan: PlanState) -> AmendForm:
    """The form as the plan stands: a row per line and per vehicle (plates in clear where the service keeps
    them), then blank rows."""
    plates = {(row.leg_id, row.vehicle_id): row.plate for row in current_plates(plan)}
    names = leg_names(plan.content.legs, current_fold().state.routes)
    legs = []
    for n, leg in enumerate(plan.content.legs, start=1):
        row_of = {vehicle.id: str(number) for number, vehicle in enumerate(leg.vehicles, start=1)}
        lines = [{"id": line.id, "item": line.item, "category": line.category, "quantity": str(line.quantity),
                  "unit": line.unit, "weight": str(line.weight_kg), "vehicle": row_of.get(line.vehicle or "", ""),
                  "remove": ""} for line in leg.lines]
        vehicles = [{"id": v.id, "plate": plates.get((leg.id, v.id), ""), "type": v.type, "remove": ""}
                    for v in leg.vehicles]
        legs.append(LegForm(f"leg{n}", names.get(leg.id, leg.id), leg.id, lines, vehicles, seals=" ".join(leg.seals)))
    form = AmendForm(plan.version, legs, LegForm("new", _("The new leg"), new_leg_id(plan)))
    form.too_large = form.rows() > MAX_ROWS
    if not form.too_large:
        form.add_blank_rows([*form.legs, form.new])
    return form


def posted_form(post, plan: PlanState) -> AmendForm:
    """The form as it came back: each table's rows up to the count it says it holds, MAX_ROWS in all."""
    names = leg_names(plan.content.legs, current_fold().state.routes)
    room = [MAX_ROWS]
    legs = [_posted_leg(post, LegForm(f"leg{n}", names.get(leg.id, leg.id), leg.id), room)
            for n, leg in enumerate(plan.content.legs, start=1)]
    new = _posted_leg(post, LegForm("new", _("The new leg"), new_leg_id(plan)), room)
    form = AmendForm(post.get("version", ""), legs, new, new_route=post.get("new-route", "").strip(),
                     new_direction="reverse" if post.get("new-direction") == "reverse" else "forward")
    if room[0] < 0:
        form.errors.append(_too_many_rows())
    return form


def _posted_leg(post, leg: LegForm, room: list[int]) -> LegForm:
    for table, (row, names) in TABLES.items():
        if table == "crew" and leg.prefix != "new":
            continue  # the crew of the plan's legs is not on the form
        wanted = _count(post.get(f"{leg.prefix}-{table}", ""))
        given = max(0, min(wanted, room[0]))
        room[0] -= wanted if wanted > given else given  # below zero: more rows were sent than the form holds
        setattr(leg, table, [{name: post.get(f"{leg.prefix}-{row}{n}-{name}", "") for name in names}
                             for n in range(1, given + 1)])
    leg.seals, leg.drop = post.get(f"{leg.prefix}-seals", ""), bool(post.get(f"{leg.prefix}-drop"))
    return leg


def _count(text: str) -> int:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 6 else 0


def _blank(table: str) -> dict:
    names = TABLES[table][1]
    return {name: "" for name in names} | ({"type": "truck"} if table == "vehicles" else {})


# --- reading the form into the plan's content ------------------------------------------------------------------

def read_amendment(post, plan: PlanState) -> Amendment:
    """The plan's content with each leg's lines, vehicles and seals as the posted form gives them."""
    form = posted_form(post, plan)
    amendment = read_form(form, plan)
    amendment.errors[:0] = form.errors
    return amendment


def read_form(form: AmendForm, plan: PlanState) -> Amendment:
    content = msgspec.to_builtins(plan.content)
    amendment = Amendment(content)
    clear = {(row.leg_id, row.vehicle_id): row for row in current_plates(plan)}
    legs = []
    for typed, leg in zip(form.legs, content["legs"], strict=True):
        if typed.drop:
            continue
        vehicles, by_row = _vehicles(typed, leg, clear, amendment)
        leg.update(lines=_lines(typed, leg, by_row, amendment), vehicles=vehicles, seals=_seals(typed.seals))
        _seats_kept(typed, leg, amendment)
        legs.append(leg)
    added = _added_leg(form, amendment)
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


def _added_leg(form: AmendForm, amendment: Amendment) -> dict | None:
    """A new leg, when the form names a route for one (its lines and vehicles as for the others, and its crew)."""
    typed = form.new
    if not form.new_route:
        if _has_content(typed):
            amendment.errors.append(_("The new leg: choose its route, or empty its rows."))
        return None
    if form.new_route not in current_fold().state.routes:
        amendment.errors.append(_("The new leg's route is unknown."))
        return None
    leg = {"id": typed.leg_id, "route": form.new_route, "direction": form.new_direction, "lines": [],
           "vehicles": []}
    leg["vehicles"], by_row = _vehicles(typed, leg, {}, amendment)
    leg["lines"] = _lines(typed, leg, by_row, amendment)
    leg["seals"] = _seals(typed.seals)
    crew = _crew(typed, by_row, amendment)
    if crew:
        amendment.crew = {leg["id"]: crew}
    return leg


def _has_content(leg: LegForm) -> bool:
    return bool(leg.seals.strip()) or any(
        row.get(name, "").strip() for row in [*leg.lines, *leg.crew] for name in ("item", "quantity", "name")
    ) or any(row["plate"].strip() for row in leg.vehicles)


def _vehicles(typed: LegForm, leg: dict, clear: dict, amendment: Amendment) -> tuple[list[dict], dict]:
    """The leg's vehicles as the table gives them, and each row's number → its vehicle's id (REMOVED, EMPTY, or
    None for a row with a problem). A plate typed as it was keeps its commitment; a plate the service cannot
    open (committed by the party itself) is shown empty and kept when left so."""
    before = {vehicle["id"]: vehicle for vehicle in leg["vehicles"]}
    taken, used, vehicles, by_row = set(before), set(), [], {}
    for n, row in enumerate(typed.vehicles, start=1):
        vehicle_id, plate, kind = row["id"].strip(), row["plate"].strip(), row["type"].strip()
        if row["remove"] or not (vehicle_id or plate):
            by_row[str(n)] = REMOVED if row["remove"] and (vehicle_id or plate) else EMPTY
            continue
        where = _vehicle_where(typed.name, n, plate)
        original = before.get(vehicle_id)
        problem = _vehicle_problem(vehicle_id, original, used, plate, kind, (typed.leg_id, vehicle_id) in clear)
        if problem:
            amendment.errors.append(f"{where}: {problem}")
            by_row[str(n)] = None
            continue
        vehicle_id = vehicle_id or _free_id("v", taken, start=len(before) + 1)
        taken.add(vehicle_id)
        used.add(vehicle_id)
        kept = clear.get((typed.leg_id, vehicle_id))
        if not plate:  # committed by the party: the service cannot show it, so it is kept
            plate = original["plate"]
        elif kept is not None and kept.plate == plate:
            plate = kept.commitment
        vehicles.append({"id": vehicle_id, "plate": plate, "type": kind})
        by_row[str(n)] = vehicle_id
    return vehicles, by_row


def _vehicle_problem(vehicle_id: str, original: dict | None, used: set, plate: str, kind: str,
                     opened: bool) -> str:
    if vehicle_id and (original is None or vehicle_id in used):
        return _("this row is not one of this leg's vehicles; reload the page and amend again")
    if not plate and (original is None or opened):
        return _("type its plate")
    if len(plate) > MAX_PLATE:
        return _("a plate has at most %(n)s characters") % {"n": MAX_PLATE}
    if not allowed(VEHICLE_TYPES, kind, (original or {}).get("type", "")):
        return _("choose its type from the list")
    return ""


def _vehicle_where(leg: str, n: int, plate: str) -> str:
    if plate:
        return _("%(leg)s, vehicle %(n)s (%(plate)s)") % {"leg": leg, "n": n, "plate": plate}
    return _("%(leg)s, vehicle %(n)s") % {"leg": leg, "n": n}


def _lines(typed: LegForm, leg: dict, by_row: dict, amendment: Amendment) -> list[dict]:
    """The leg's lines as the table gives them; a new line's id is made from its item, unique in the leg."""
    before = {line["id"]: line for line in leg["lines"]}
    taken, used, lines = set(before), set(), []
    for n, row in enumerate(typed.lines, start=1):
        cells = {name: row[name].strip() for name in LINE_FIELDS}
        if cells["remove"] or not any(cells[name] for name in ("id", "item", "quantity", "unit", "weight")):
            continue
        original = before.get(cells["id"]) if cells["id"] not in used else None
        line, problems = _line(cells, original, by_row)
        item = cells["item"] or (original or {}).get("item", "")
        where = (_("%(leg)s, line %(n)s (%(item)s)") if item else _("%(leg)s, line %(n)s")) % {
            "leg": typed.name, "n": n, "item": item}
        amendment.errors += [f"{where}: {problem}" for problem in problems]
        used.add(cells["id"])
        lines.append(line)
    for line in lines:
        if not line["id"]:
            line["id"] = _free_id(slugify(line["item"])[:40].strip("-_") or "line", taken)
            taken.add(line["id"])
    if not lines:
        amendment.errors.append(_("%(leg)s: list at least one line.") % {"leg": typed.name})
    return lines


def _line(cells: dict, original: dict | None, by_row: dict) -> tuple[dict, list[str]]:
    problems = []
    if cells["id"] and original is None:
        problems.append(_("this row is not one of this leg's lines; reload the page and amend again"))
    for name, words in (("item", _("the item is empty")), ("unit", _("the unit is empty"))):
        if not cells[name]:
            problems.append(words)
    if len(cells["item"]) > MAX_TEXT or len(cells["unit"]) > LABEL_MAX_LENGTH:
        problems.append(_("a cell is too long"))
    if not allowed(CATEGORIES, cells["category"], (original or {}).get("category", ""), blank=True):
        problems.append(_("choose its category from the list"))
    line = {"id": cells["id"], "item": cells["item"], "category": cells["category"], "unit": cells["unit"]}
    try:
        line["quantity"] = parse_quantity(cells["quantity"], positive=True)
    except QuantityError:
        problems.append(_("the quantity must be a number greater than zero, without a unit (e.g. 20 or 2.5)"))
    line["weight_kg"] = _kilograms(cells["weight"])
    if line["weight_kg"] is None:
        problems.append(_("the weight must be a whole number of kilograms (e.g. 20000)"))
    vehicle = _vehicle_of(cells["vehicle"], by_row, problems)
    if vehicle:
        line["vehicle"] = vehicle
    return line, problems


def _kilograms(text: str) -> int | None:
    try:
        weight = parse_quantity(text)
    except QuantityError:
        return None
    return weight if isinstance(weight, int) else None


def _vehicle_of(chosen: str, by_row: dict, problems: list[str]) -> str | None:
    """The id of the vehicle a row chose by its number in the table; a problem if that row is no vehicle."""
    if not chosen:
        return None
    if chosen not in by_row:
        problems.append(_("choose its vehicle from the list"))
        return None
    vehicle = by_row[chosen]
    if vehicle == REMOVED:
        problems.append(_("its vehicle (vehicle %(n)s) is removed: choose another, or “not assigned”")
                        % {"n": chosen})
    elif vehicle == EMPTY:
        problems.append(_("its vehicle (vehicle %(n)s) is an empty row: type its plate, or choose another")
                        % {"n": chosen})
    else:
        return vehicle  # None: the vehicle's row has its own problem, said once
    return None


def _seats_kept(typed: LegForm, leg: dict, amendment: Amendment) -> None:
    """Crew seated in a vehicle stay in it (the crew is not on this form): that vehicle cannot be removed."""
    kept = {vehicle["id"] for vehicle in leg["vehicles"]}
    rows = {row["id"].strip(): n for n, row in enumerate(typed.vehicles, start=1)}
    seated = {seat["vehicle"] for seat in leg.get("crew") or () if isinstance(seat, dict)}
    for vehicle_id in sorted(seated - kept):
        n = rows.get(vehicle_id)
        where = _("%(leg)s, vehicle %(n)s") % {"leg": typed.name, "n": n} if n else typed.name
        amendment.errors.append(_("%(where)s: crew members travel in it, so it cannot be removed on this page")
                                % {"where": where})


def _crew(typed: LegForm, by_row: dict, amendment: Amendment) -> list[dict]:
    """The new leg's crew: a name and a document number each, and optionally the vehicle they travel in."""
    crew = []
    for n, row in enumerate(typed.crew, start=1):
        name, document = row["name"].strip(), row["document"].strip()
        if not (name or document):
            continue
        problems = [] if name and document else [_("give both a name and a document number")]
        member = {"name": name, "document": document}
        vehicle = _vehicle_of(row["vehicle"].strip(), by_row, problems)
        if vehicle:
            member["vehicle"] = vehicle
        where = _("The new leg, crew member %(n)s") % {"n": n}
        amendment.errors += [f"{where}: {problem}" for problem in problems]
        crew.append(member)
    return crew


def _free_id(base: str, taken: set[str], start: int = 2) -> str:
    """`base` if free, else base-2, base-3… (for vehicles: v3, v4… from `start`)."""
    if base == "v":
        return next(f"v{n}" for n in range(start, start + MAX_ROWS + len(taken) + 1) if f"v{n}" not in taken)
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(start, start + MAX_ROWS + len(taken) + 1) if f"{base}-{n}" not in taken)


def _seals(text: str) -> list[str]:
    return [seal for seal in text.replace(",", " ").split() if seal]


def _review(plan: PlanState, amendment: Amendment, routes: dict) -> list[dict]:
    """What the amendment changes, line by line, with each vehicle named by its plate (the requester's own),
    never by its id."""
    clear = current_plates(plan)
    before = {(row.leg_id, row.vehicle_id): row.plate for row in clear}
    opened = {row.commitment: row.plate for row in clear}
    after = {(leg["id"], vehicle["id"]): opened.get(vehicle["plate"], vehicle["plate"])
             for leg in amendment.content["legs"] for vehicle in leg["vehicles"]}
    return changes(_by_plate(msgspec.to_builtins(plan.content), before),
                   _by_plate(_committed(amendment.content), after), routes)


def _by_plate(content: dict, plates: dict) -> dict:
    """The content with each vehicle's id, and each line's vehicle, replaced by the vehicle's plate in clear
    (or "Vehicle N" where the service cannot open it): the review's words."""
    shown = copy.deepcopy(content)
    for leg in shown.get("legs", ()):
        names = {}
        for n, vehicle in enumerate(leg.get("vehicles", ()), start=1):
            plate = plates.get((leg["id"], vehicle["id"]), "")
            names[vehicle["id"]] = plate if plate and len(plate) != 64 else _("Vehicle %(n)s") % {"n": n}
            vehicle["id"] = names[vehicle["id"]]
        for line in leg.get("lines", ()):
            if line.get("vehicle"):
                line["vehicle"] = names.get(line["vehicle"], line["vehicle"])
    return shown


def _committed(content: dict) -> dict:
    """The content as the log would show it, for the review's comparison: plates typed anew marked as new."""
    shown = copy.deepcopy(content)
    for leg in shown.get("legs", ()):
        for vehicle in leg.get("vehicles", ()):
            if len(vehicle["plate"]) != 64:
                vehicle["plate"] = "new:" + vehicle["plate"]
    return shown


# --- the form's rows as the template shows them ---------------------------------------------------------------

def _form_context(form: AmendForm, plan: PlanState) -> dict:
    opened = {(row.leg_id, row.vehicle_id) for row in current_plates(plan)}
    return {"form": form, "legs": [_leg_view(leg, plan, opened) for leg in form.legs],
            "new_leg": _leg_view(form.new, plan, opened), "max_rows": MAX_ROWS}


def _leg_view(leg: LegForm, plan: PlanState, opened: set) -> dict:
    """Each row with the options of its selects: categories, the leg's vehicles by number and plate, types."""
    choices = [("", _("not assigned"))] + [(str(n), _vehicle_label(n, row["plate"]))
                                            for n, row in enumerate(leg.vehicles, start=1)]
    had = plan.content.leg(leg.leg_id) if leg.prefix != "new" else None
    categories = {line.id: line.category for line in had.lines} if had else {}
    types = {vehicle.id: vehicle.type for vehicle in had.vehicles} if had else {}
    lines = [row | {"n": n, "categories": options(CATEGORIES, row["category"], categories.get(row["id"], ""),
                                                  blank="—"),
                    "vehicles": [(value, words, value == row["vehicle"]) for value, words in choices]}
             for n, row in enumerate(leg.lines, start=1)]
    vehicles = [row | {"n": n, "types": options(VEHICLE_TYPES, row["type"], types.get(row["id"], "")),
                       "committed": row["id"] in types and (leg.leg_id, row["id"]) not in opened}
                for n, row in enumerate(leg.vehicles, start=1)]
    crew = [row | {"n": n, "vehicles": [(value, words, value == row["vehicle"]) for value, words in choices]}
            for n, row in enumerate(leg.crew, start=1)]
    return {"prefix": leg.prefix, "name": leg.name, "lines": lines, "vehicles": vehicles, "crew": crew,
            "seals": leg.seals, "drop": leg.drop}


def _vehicle_label(n: int, plate: str) -> str:
    if plate.strip():
        return _("Vehicle %(n)s — %(plate)s") % {"n": n, "plate": plate.strip()}
    return _("Vehicle %(n)s") % {"n": n}
