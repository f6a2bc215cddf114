"""The delivery receipt (leg.deliver) on the plan page, vehicle by vehicle, as the statement's payload.

The receiving authority reads each vehicle as the plan names it ("Vehicle 2 · AB 123", the plate where it may
see plates) with the lines it carries, and types what arrived good, damaged and lost. Nothing is assumed: a good
count left empty is refused in words (`receipt.incomplete`, every line at once) with the values typed given back,
unless "All received as declared" was pressed for its vehicle or the whole leg — a server round trip that fills
the empty counts with what the leg carries (less what was typed damaged or lost) and records nothing, as the
checkpoint's "All as declared" does (web/inspection_form.py), with no script on the page.

Field names: `leg`, `good-<line>`, `damaged-<line>`, `lost-<line>`, `fill` (a vehicle id, "-" for the lines no
vehicle carries, "*" for the whole leg).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ...engine.model import Leg
from ...engine.quantity import QuantityError, amount, canonical, parse_quantity, total
from ...engine.state import PlanState
from ..ledger.record import Refused
from .inspection_form import NO_VEHICLE, WHOLE_LEG, VehicleGroup, fill_empty_counts, vehicle_groups

# refusals the form is sent back for, with what was typed: the receipt itself is at fault, not the plan's stage
SENT_BACK = frozenset({"receipt.incomplete", "quantity.invalid", "delivery.mismatch"})


@dataclass(frozen=True)
class Typed:
    """A receipt form sent back: the leg, the values as submitted (or filled in), and what is wrong."""

    leg: str
    values: dict
    problems: list[dict] = field(default_factory=list)


def receipt_payload(form, plan: PlanState) -> dict:
    """The leg.deliver payload, one receipt per line the leg still carries (in the manifest's order); Refused
    with every line left uncounted, or the first count that is no quantity."""
    leg = plan.content.leg(form.get("leg", ""))
    if leg is None:
        raise Refused("leg.unknown", _("Choose a leg of this plan."), 422)
    groups = vehicle_groups(leg, plan.legs[leg.id])
    carried = {row.line.id for group in groups for row in group.lines}
    missing = [(group, row.line) for group in groups for row in group.lines
               if not (form.get(f"good-{row.line.id}") or "").strip()]
    if missing:
        raise _incomplete(missing)
    receipts = [{"line": line.id, "good": _quantity(form, "good", line.id, line.item),
                 "damaged": _quantity(form, "damaged", line.id, line.item),
                 "lost": _quantity(form, "lost", line.id, line.item)} for line in leg.lines if line.id in carried]
    return {"leg": leg.id, "receipts": receipts}


def _incomplete(missing: list[tuple[VehicleGroup, object]]) -> Refused:
    named = [f"{line.item} ({_group_word(group)})" if group.vehicle else line.item for group, line in missing]
    message = _("Nothing was recorded: say how much arrived in good condition of %(items)s — or press “All "
                "received as declared” for a vehicle whose goods all arrived as declared.") % {
        "items": ", ".join(named)}
    fields = [f"good-{line.id}" for _group, line in missing]
    return Refused("receipt.incomplete", message, 422, details=[
        {"field": fields[0], "fields": fields, "message": message, "short": _("How much arrived in good condition?")}])


def _group_word(group: VehicleGroup) -> str:
    return _("Vehicle %(n)s") % {"n": group.number}


def _quantity(form, part: str, line_id: str, item: str) -> int | str:
    """A count typed (damaged and lost default to 0): a whole number, or a decimal (2.5 or 2,5) in the engine's
    one decimal form."""
    text = (form.get(f"{part}-{line_id}") or "").strip() or ("0" if part != "good" else "")
    try:
        return parse_quantity(text)
    except QuantityError as error:
        message = f"{item}: {text!r} {error} (e.g. 20 or 2.5)"
        raise Refused("quantity.invalid", message, 422, details=[
            {"field": f"{part}-{line_id}", "message": message,
             "short": _("Give a number, such as 18 or 2.5.")}]) from None


def fill_as_received(form, plan: PlanState, key: str) -> dict:
    """The form's values with the empty good counts of a vehicle's lines (or, with "*", the whole leg's) set to
    what the leg carries, less what was typed damaged or lost."""
    return fill_empty_counts(form, plan, key, "good", lambda row, values: _rest(row.carried, values, row.line.id))


def _rest(carried, values: dict, line_id: str):
    """What is left good of the carried quantity once what was typed damaged and lost is taken off (all of it
    when those are not numbers, or come to more than was carried: the officer then sees and corrects)."""
    try:
        off = [parse_quantity(_first(values, f"{part}-{line_id}").strip() or "0") for part in ("damaged", "lost")]
    except QuantityError:
        return carried
    rest = amount(carried) - total(*off)
    return canonical(rest) if rest >= 0 else carried


def receipt_form(plan: PlanState, leg: Leg, plates: dict, typed: Typed | None) -> dict:
    """The form for one leg: its vehicles, each named by its place in the leg and its plate (where the reader may
    see it), with the lines it carries and the values typed; the problems of a form sent back."""
    values = typed.values if typed is not None and typed.leg == leg.id else {}
    problems = typed.problems if typed is not None and typed.leg == leg.id else []
    errors = {name: p.get("short", p["message"]) for p in problems for name in p.get("fields", [p.get("field")])
              if name}
    groups = [_group(leg, group, plates, values, errors) for group in vehicle_groups(leg, plan.legs[leg.id])]
    groups = [group for group in groups if group["lines"]]
    return {"groups": groups, "problems": problems, "whole_leg": WHOLE_LEG}


def _group(leg: Leg, group: VehicleGroup, plates: dict, values: dict, errors: dict) -> dict:
    plate = plates.get((leg.id, group.key), "") if group.key != NO_VEHICLE else ""
    return {
        "key": group.key, "number": group.number, "plate": plate, "vehicle": group.vehicle is not None,
        "lines": [{"id": row.line.id, "item": row.line.item, "unit": row.line.unit, "carried": row.carried,
                   "good": _first(values, f"good-{row.line.id}"),
                   "damaged": _first(values, f"damaged-{row.line.id}") or "0",
                   "lost": _first(values, f"lost-{row.line.id}") or "0",
                   "error": errors.get(f"good-{row.line.id}"),
                   "damaged_error": errors.get(f"damaged-{row.line.id}"),
                   "lost_error": errors.get(f"lost-{row.line.id}")}
                  for row in group.lines],
    }


def receipt_forms(plan: PlanState, legs: set[str], detail: dict, typed: Typed | None) -> dict[str, dict]:
    """The receipt forms of the legs a party on the page may receipt, by leg id."""
    plates = {(p["leg"], p["vehicle"]): p["plate"] for p in detail.get("plates") or ()}
    return {leg.id: receipt_form(plan, leg, plates, typed) for leg in plan.content.legs if leg.id in legs}


def _first(values: dict, name: str) -> str:
    found = values.get(name) or [""]
    return str(found[-1] if isinstance(found, list) else found)
