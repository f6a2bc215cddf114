"""The leg.inspect form — the tablet checkpoint screen's, and the plan page's — as the statement's payload.

Nothing is assumed for the officer: what was found is counted, or taken as declared only where the officer
said so ("all as declared", for a vehicle or the whole leg); a decision is chosen; every seal the form
showed is said intact, broken or not checked. Whatever is missing is refused before anything is signed
(`inspection.incomplete`, every problem at once, each with the field it concerns — and, when it concerns
several, `fields` and a `short` message for each of them), so the screen can give the typed values back
beside what to do.

Field names: `leg`, `checkpoint`, `found-<line>`, `codes-<line>` (several), `offload` (line ids),
`as_declared` (vehicle ids, "-" for the lines no vehicle carries, "*" for the whole leg), `seal` (the seals
shown) with `seal-<seal>` = intact | broken | unchecked, `applied` / `applied-<vehicle>` (seal numbers
put on, separated by spaces or commas), `undeclared-item-<n>` / `-quantity-<n>` / `-unit-<n>`, `decision`,
`text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ...engine.model import Leg, ManifestLine, Vehicle
from ...engine.quantity import QuantityError, amount, parse_quantity
from ...engine.rules.movement import seals_on
from ...engine.state import LegState, PlanState
from ..ledger.record import Refused
from .bidi import isolate, isolated
from .labels import groups_separator, joined, label

WHOLE_LEG = "*"
NO_VEHICLE = "-"  # the group of lines that name no vehicle (carried by the leg as a whole)
UNDECLARED_ROWS = 3  # rows for goods found that no line declares
SEAL_ANSWERS = ("intact", "broken", "unchecked")
DECISIONS = ("cleared", "cleared_with_offload", "held", "turned_back")
NEEDS_REMARKS = frozenset({"held", "turned_back"})  # a vehicle stopped: the record says why
WHOLE = re.compile(r"^\d{1,15}$")
DECIMAL = re.compile(r"^\d{1,12}([.,]\d{1,6})?$")
SEAL_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class LineRow:
    line: ManifestLine
    carried: object  # what the leg should carry now: declared, less what earlier inspections found or offloaded

    @property
    def changed(self) -> bool:
        """An earlier inspection on the way found or offloaded another quantity than declared."""
        return self.carried != self.line.quantity


@dataclass(frozen=True)
class VehicleGroup:
    """The lines one vehicle carries (ManifestLine.vehicle), or those no vehicle is named for."""

    key: str  # the vehicle id, or NO_VEHICLE
    vehicle: Vehicle | None
    lines: list[LineRow] = field(default_factory=list)
    number: int = 0  # the vehicle's place in the leg's list (1, 2 …): how the screen names it, never by its id


def vehicle_groups(leg: Leg, live: LegState) -> list[VehicleGroup]:
    """The leg's vehicles in the plan's order, each with the lines it still carries, then the lines no vehicle
    carries. A leg of one vehicle whose lines name none: that vehicle carries them all. Lines offloaded or
    found empty earlier are left out (`gone_lines`)."""
    rows = [LineRow(line, live.carried.get(line.id, line.quantity)) for line in leg.lines]
    rows = [row for row in rows if row.carried]
    sole = leg.vehicles[0].id if len(leg.vehicles) == 1 and not any(r.line.vehicle for r in rows) else None
    groups = {v.id: VehicleGroup(v.id, v, number=number) for number, v in enumerate(leg.vehicles, start=1)}
    loose = VehicleGroup(NO_VEHICLE, None)
    for row in rows:
        groups.get(row.line.vehicle or sole or "", loose).lines.append(row)
    return [*groups.values(), *([loose] if loose.lines else [])]


def gone_lines(leg: Leg, live: LegState) -> list[ManifestLine]:
    """Lines an earlier inspection offloaded or found none of: nothing left to count."""
    return [line for line in leg.lines if not live.carried.get(line.id, line.quantity)]


def inspection_payload(form, plan: PlanState) -> dict:
    """The leg.inspect payload from a submitted form, or Refused with every problem found."""
    leg = plan.content.leg(form.get("leg", ""))
    if leg is None:
        raise Refused("leg.unknown", _("Choose a leg of this plan."), 422)
    live = plan.legs[leg.id]
    problems: list[dict] = []
    findings = _findings(form, leg, live, problems)
    payload = {
        "leg": leg.id, "checkpoint": form.get("checkpoint", ""), "findings": findings,
        "seals": _seal_checks(form, leg, live, problems), "decision": _decision(form, problems),
        "offload": [line for line in dict.fromkeys(form.getlist("offload")) if line],
        "text": form.get("text", "").strip(),
    }
    _check_offload_and_remarks(payload, problems)
    undeclared = _undeclared(form, problems)
    applied = _applied(form, leg, problems)
    if problems:
        raise Refused("inspection.incomplete", " ".join(p["message"] for p in problems), 422, details=problems)
    return payload | ({"undeclared": undeclared} if undeclared else {}) | ({"applied": applied} if applied else {})


def _findings(form, leg: Leg, live: LegState, problems: list[dict]) -> list[dict]:
    """One finding per line still carried: the count typed, else the carried quantity where "all as
    declared" was chosen for its vehicle or the whole leg. A line nothing was typed for is a problem."""
    declared = set(form.getlist("as_declared"))
    groups = {row.line.id: group.key for group in vehicle_groups(leg, live) for row in group.lines}
    findings, missing = [], []
    for line in leg.lines:
        text = (form.get(f"found-{line.id}") or "").strip()
        carried = live.carried.get(line.id, line.quantity)
        if not text and line.id not in groups:  # offloaded or found empty earlier: nothing asked
            continue
        codes = [code for code in dict.fromkeys(form.getlist(f"codes-{line.id}")) if code]
        if text:
            found = _quantity(text, line, problems)
        elif WHOLE_LEG in declared or groups[line.id] in declared:
            found = carried
        else:
            missing.append(line)
            continue
        if amount(found) > amount(carried) and "excess" not in codes:  # the engine refuses it unmarked
            problems.append({"field": f"found-{line.id}", "message": _(
                "%(item)s: more found (%(found)s) than the leg carries (%(carried)s): tick “%(excess)s”, or correct "
                "the count.") % {"item": isolate(line.item), "found": found, "carried": carried,
                                 "excess": label("excess", "discrepancy")}})
        findings.append({"line": line.id, "found": found, "codes": codes})
    if missing:
        problems.append({"field": f"found-{missing[0].id}", "message": _(
            "Count what was found for %(items)s, or press “All as declared” where everything is as declared.")
            % {"items": _by_vehicle(leg, live, missing)},
            "fields": [f"found-{line.id}" for line in missing], "short": _("Count what was found.")})
    return findings


def _by_vehicle(leg: Leg, live: LegState, lines: list[ManifestLine]) -> str:
    """"Vehicle 1: Wheat flour; Vehicle 2: Medical kits": the lines by the vehicle carrying them (by its place,
    as the screen names it), so twenty trucks of the same goods do not read as one list of repeated items."""
    wanted = {line.id for line in lines}
    if len(leg.vehicles) < 2:  # one vehicle (or none): its goods are the list
        return joined(isolate(line.item) for line in lines)
    parts = []
    for group in vehicle_groups(leg, live):
        items = joined(isolate(row.line.item) for row in group.lines if row.line.id in wanted)
        if not items:
            continue
        if group.vehicle is None:
            parts.append(_("goods no vehicle is named for: %(items)s") % {"items": items})
        else:
            parts.append(_("Vehicle %(number)s: %(items)s") % {"number": group.number, "items": items})
    return groups_separator().join(parts)


def _quantity(text: str, line: ManifestLine, problems: list[dict]):
    """A whole number, or a decimal (a decimal string, never a float), whatever the line was declared in: 19.5 t
    may be found of 20 t declared (the checkpoint app reads the count alike)."""
    if WHOLE.match(text):
        return int(text)
    if DECIMAL.match(text):
        try:
            return parse_quantity(text)  # the log's one form: "2.50" -> "2.5", "2,5" -> "2.5"
        except QuantityError:
            pass
    problems.append({"field": f"found-{line.id}", "message": _("%(item)s: give the quantity found as a number "
                                                               "(e.g. 400 or 2.5).") % {"item": isolate(line.item)}})
    return 0


def _seal_checks(form, leg: Leg, live: LegState, problems: list[dict]) -> list[dict]:
    """The seals the form showed (hidden `seal` fields), each answered; "unchecked" leaves it out of the
    report. A form that shows no seals reports none."""
    on_leg = seals_on(leg, live)
    shown = [seal for seal in dict.fromkeys(form.getlist("seal")) if seal in on_leg]
    checks, unanswered = [], []
    for seal in shown:
        answer = form.get(f"seal-{seal}", "")
        if answer not in SEAL_ANSWERS:
            unanswered.append(seal)
        elif answer != "unchecked":
            checks.append({"seal": seal, "intact": answer == "intact"})
    if unanswered:
        problems.append({"field": f"seal-{unanswered[0]}", "message": _(
            "Say for each seal whether it is intact, broken or not checked: %(seals)s.")
            % {"seals": joined(isolated(unanswered))},
            "fields": [f"seal-{seal}" for seal in unanswered], "short": _("Intact, broken or not checked?")})
    return checks


def _decision(form, problems: list[dict]) -> str:
    decision = form.get("decision", "")
    if decision not in DECISIONS:  # the choices in the words of the decision tiles (web/labels.py)
        problems.append({"field": "decision", "message": _("Choose a decision: %(choices)s.") % {
            "choices": joined(f"“{label(choice, 'decision')}”" for choice in DECISIONS)}})
    return decision


def _check_offload_and_remarks(payload: dict, problems: list[dict]) -> None:
    decision = payload["decision"]
    offload = label("cleared_with_offload", "decision")
    if decision == "cleared_with_offload" and not payload["offload"]:
        problems.append({"field": "offload", "message": _(
            "Tick the lines to offload, or choose another decision than “%(offload)s”.") % {"offload": offload}})
    if payload["offload"] and decision in DECISIONS and decision != "cleared_with_offload":
        problems.append({"field": "offload", "message": _(
            "Lines are ticked to offload: choose the decision “%(offload)s”, or untick them.") % {"offload": offload}})
    if decision in NEEDS_REMARKS and not payload["text"]:
        problems.append({"field": "text", "message": _("Say in the remarks why the decision is “%(decision)s”.")
                         % {"decision": label(decision, "decision")}})


def _undeclared(form, problems: list[dict]) -> list[dict]:
    """Goods found that no line declares: item, whole quantity and unit, each row all or nothing."""
    items = []
    for n in range(1, UNDECLARED_ROWS + 1):
        item, quantity, unit = (form.get(f"undeclared-{part}-{n}", "").strip() for part in ("item", "quantity", "unit"))
        if not (item or quantity or unit):
            continue
        if not (item and WHOLE.match(quantity) and unit):
            problems.append({"field": f"undeclared-item-{n}", "message": _(
                "Undeclared goods: give the item, the quantity as a whole number and the unit.")})
            continue
        items.append({"item": item, "quantity": int(quantity), "unit": unit})
    return items


def _applied(form, leg: Leg, problems: list[dict]) -> list[dict]:
    """Seals put on after the inspection, per vehicle (`applied-<vehicle>`) or for the leg (`applied`)."""
    applied = [{"seal": seal} for seal in _seal_numbers(form.get("applied", ""))]
    for vehicle in leg.vehicles:
        applied += [{"seal": seal, "vehicle": vehicle.id} for seal in _seal_numbers(form.get(f"applied-{vehicle.id}"))]
    too_long = [a["seal"] for a in applied if len(a["seal"]) > 64]
    if too_long:
        problems.append({"field": "applied", "message": _("A seal number is at most 64 characters.")})
    return applied


def _seal_numbers(text: str | None) -> list[str]:
    return [seal for seal in dict.fromkeys(SEAL_SEPARATORS.split(text or "")) if seal]


def fill_as_declared(form, plan: PlanState, key: str) -> dict:
    """The form's values with the empty "found" of a vehicle's lines (or, with "*", the whole leg's) set to
    what the leg should carry: the server's "all as declared" for a browser without JavaScript."""
    return fill_empty_counts(form, plan, key, "found", lambda row, values: row.carried)


def fill_empty_counts(form, plan: PlanState, key: str, field: str, count) -> dict:
    """The form's values with each empty `field-<line>` of a vehicle's lines (or, with "*", the whole leg's)
    set to `count(row, values)`: what the checkpoint's and the receipt's "all as declared" share."""
    values = {name: form.getlist(name) for name in form}
    leg = plan.content.leg(form.get("leg", ""))
    if leg is None:
        return values
    for group in vehicle_groups(leg, plan.legs[leg.id]):
        if key not in (WHOLE_LEG, group.key):
            continue
        for row in group.lines:
            if not "".join(values.get(f"{field}-{row.line.id}", [])).strip():
                values[f"{field}-{row.line.id}"] = [str(count(row, values))]
    return values
