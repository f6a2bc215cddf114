"""What the plan page shows beyond the API's plan detail: the timeline in words, the changes between versions,
each inspection grouped by vehicle, and — to the plan's parties only — vehicles with their plates, the lines
each carries and the leg's crew."""

from __future__ import annotations

from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _

from ...engine.state import PlanState, State
from ..ledger.models import StatementIndex
from ..passages.history import Signed, by_vehicle, with_statements
from ..passages.models import SlotWindow
from ..passages.offline import RELAY
from .earlier_inspections import earlier_inspections
from .labels import joined, label
from .leg_names import leg_names
from .plan_diff import VERSIONS, amendments
from .timeline import timeline

# what the page shows whole, whatever the plan's length: every version (its amendments, compared) and every
# inspection; the timeline is a window (passages/history.timeline_window)
KEPT_WHOLE = (*VERSIONS, "leg.inspect", RELAY)


def plan_context(detail: dict, state: State, plan: PlanState, statements: list[Signed],
                 window: tuple[list[StatementIndex], int | None]) -> dict:
    """`statements`: the plan's KEPT_WHOLE; `window`: the timeline's rows and the `before` of the earlier ones."""
    private = detail.get("crew") is not None  # plan_detail gives crew (even empty) to the plan's parties only
    plates = {(p["leg"], p["vehicle"]): p["plate"] for p in detail.get("plates") or ()}
    numbers = {(leg.id, v.id): number for leg in plan.content.legs for number, v in enumerate(leg.vehicles, start=1)}
    types = {(leg.id, v.id): label(v.type, "vehicle") for leg in plan.content.legs for v in leg.vehicles} \
        if private else {}
    sole = _sole_vehicles(plan)
    for inspection in detail["inspections"]:
        groups = by_vehicle(_carried_by_sole_vehicle(inspection, sole), plates)
        for group in groups:  # "Vehicle 2 · AA 100", never `v2`
            group["name"] = _vehicle(numbers, (inspection["leg"], group["vehicle"])) if group["vehicle"] else ""
        inspection["by_vehicle"] = sorted(groups, key=lambda g: (g["vehicle"] is None,
                                                                numbers.get((inspection["leg"], g["vehicle"]), 0)))
    for row in detail.get("plates") or ():
        row["vehicle_name"] = _vehicle(numbers, (row["leg"], row["vehicle"]))
    carriers = _carriers(plan)
    for line in detail["lines"]:  # names, not ids
        line["vehicle_name"] = _vehicle_and_plate(numbers, plates, carriers.get((line["leg"], line["line"])))
        line["refused_by_names"] = joined(_name(state, party) for party in (line["refused_by"] or "").split(";")
                                             if party)
    return {
        "timeline": timeline(with_statements(window[0]), state, _windows(plan.id) if private else {}, statements),
        "timeline_before": window[1],
        "amendments": amendments(statements, state.routes),
        "fleet": _fleet(detail, state, plan, plates) if private else [],
        "party_names": {party: record.name for party, record in state.parties.items()
                        if party == plan.requester or party in plan.required},
        "checkpoint_names": _checkpoint_names(state, plan),
        "documents_template": _documents_template(),
        "permits": _permits(plan, numbers, plates, types) if private else [],
        "refusable": _refusable(state, plan, numbers, plates, types),
        "earlier": _earlier(state, plan, plates) if private else {},
    }


def _earlier(state: State, plan: PlanState, plates: dict) -> dict[str, list[dict]]:
    """Per leg, the inspections already recorded on it, in words, for the plan's parties: the officer about to
    inspect reads what the last one found (web/earlier_inspections.py)."""
    earlier = {}
    for leg in plan.content.legs:
        if plan.legs[leg.id].inspections:
            own = {vehicle: plate for (leg_id, vehicle), plate in plates.items() if leg_id == leg.id}
            earlier[leg.id] = earlier_inspections(state, leg, plan.legs[leg.id], own)
    return earlier


def _vehicle(numbers: dict, key: tuple, plates: dict | None = None, types: dict | None = None) -> str:
    """A vehicle by its place in its leg ("Vehicle 2"), with its type and plate where the reader may see them;
    a vehicle no longer in the plan (amended away) keeps its id, as nothing else names it."""
    if key not in numbers:
        return str(key[1])
    words = [_("Vehicle %(n)s") % {"n": numbers[key]}]
    words += [word for word in ((types or {}).get(key), (plates or {}).get(key)) if word]
    return " · ".join(words)


def _sole_vehicles(plan: PlanState) -> dict[str, str]:
    """leg -> its only vehicle, for the legs with one vehicle and lines that name none: that vehicle carries
    them all (as the checkpoint screen groups them)."""
    return {leg.id: leg.vehicles[0].id for leg in plan.content.legs
            if len(leg.vehicles) == 1 and not any(line.vehicle for line in leg.lines)}


def _carriers(plan: PlanState) -> dict[tuple[str, str], tuple[str, str]]:
    """(leg, line) -> (leg, vehicle) carrying it: the vehicle the line names, or the leg's only vehicle."""
    sole = _sole_vehicles(plan)
    return {(leg.id, line.id): (leg.id, line.vehicle or sole[leg.id])
            for leg in plan.content.legs for line in leg.lines if line.vehicle or leg.id in sole}


def _carried_by_sole_vehicle(inspection: dict, sole: dict[str, str]) -> dict:
    """The inspection with its lines that name no vehicle given to the leg's only vehicle, so its table names
    that vehicle as the plan's lines table does, not "the leg"."""
    vehicle = sole.get(inspection["leg"])
    if vehicle is None:
        return inspection
    return {**inspection, "lines": [{**line, "vehicle": line["vehicle"] or vehicle} for line in inspection["lines"]]}


def _vehicle_and_plate(numbers: dict, plates: dict, key: tuple | None) -> str:
    """"Vehicle 2 — AA 100" where the reader may see the plate, else "Vehicle 2"; "" for a line no vehicle
    carries (the leg as a whole)."""
    if key is None or key not in numbers:
        return ""
    name = _("Vehicle %(n)s") % {"n": numbers[key]}
    return _("%(vehicle)s — %(plate)s") % {"vehicle": name, "plate": plates[key]} if plates.get(key) else name


def _refusable(state: State, plan: PlanState, numbers: dict, plates: dict, types: dict) -> list[dict]:
    """The lines a party may refuse, by leg name: each with its quantity and the vehicle carrying it."""
    names = leg_names(plan.content.legs, state.routes)
    return [{"leg": names.get(leg.id, leg.id), "lines": [
        {"value": f"{leg.id}/{line.id}", "item": line.item, "quantity": line.quantity, "unit": line.unit,
         "vehicle": _vehicle(numbers, (leg.id, line.vehicle), plates, types) if line.vehicle else ""}
        for line in leg.lines]} for leg in plan.content.legs if leg.lines]


def _permits(plan: PlanState, numbers: dict, plates: dict, types: dict) -> list[dict]:
    """The plan's permits, one per vehicle and clearance, newest first: for its parties, who print them or
    send them to the drivers (the permit itself is private: it carries the plate and the window)."""
    rows = [{"id": permit_id, "leg": record.leg,
             "vehicle": _vehicle(numbers, (record.leg, record.vehicle), plates, types), "issued_at": record.issued_at,
             "revoked": record.revoked_at is not None, "reason": record.reason}
            for permit_id, record in plan.permits.items()]
    return sorted(rows, key=lambda row: (row["revoked"], -row["issued_at"]))


def _name(state: State, party: str) -> str:
    record = state.parties.get(party)
    return record.name if record is not None else party


def _checkpoint_names(state: State, plan: PlanState) -> dict[str, str]:
    return {checkpoint.id: checkpoint.name for leg in plan.content.legs if leg.route in state.routes
            for checkpoint in state.routes[leg.route].checkpoints}


def _documents_template():
    """The documents part of the page (uploads, downloads) once that module exists; None before, so the page
    renders either way."""
    try:
        return get_template("web/_documents.html")
    except TemplateDoesNotExist:
        return None


def _windows(plan_id: str) -> dict[str, tuple[str, str]]:
    """Every window proposed for the plan, by commitment (the timeline shows each proposal's)."""
    return {w.commitment: (w.start, w.end) for w in SlotWindow.objects.filter(plan_id=plan_id)}


def _fleet(detail: dict, state: State, plan: PlanState, plates: dict) -> list[dict]:
    """Per leg: its vehicles (plate, type, the lines each carries, the crew seated in each), lines carried by
    the leg as a whole, and the crew the plan seats in no named vehicle."""
    crew: dict[tuple[str, str | None], list[dict]] = {}
    for member in detail.get("crew") or ():
        crew.setdefault((member["leg"], member.get("vehicle")), []).append(member)
    fleet = []
    for leg in plan.content.legs:
        route = state.routes.get(leg.route)
        vehicles = [{"id": v.id, "number": number, "type": v.type, "plate": plates.get((leg.id, v.id), ""),
                     "lines": [line for line in leg.lines if line.vehicle == v.id],
                     "crew": crew.get((leg.id, v.id), [])} for number, v in enumerate(leg.vehicles, start=1)]
        fleet.append({"leg": leg.id, "route": route.name if route else leg.route, "vehicles": vehicles,
                      "loose": [line for line in leg.lines if line.vehicle is None], "seals": leg.seals,
                      "crew": crew.get((leg.id, None), []), "seated": any(v["crew"] for v in vehicles)})
    return fleet
