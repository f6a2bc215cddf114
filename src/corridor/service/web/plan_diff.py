"""Which lines changed between a plan's versions, for every party of the plan page: each amendment against
the version before it, line by line (added, removed, quantity or other fields changed), and legs' route,
vehicles and seals. Read from the plan.submit and plan.amend statements on the log (their payloads)."""

from __future__ import annotations

from itertools import pairwise

from django.utils.translation import gettext as _

from ..passages.history import Signed
from .labels import joined

VERSIONS = ("plan.submit", "plan.amend")
LINE_FIELDS = ("item", "category", "quantity", "unit", "weight_kg", "vehicle")


def amendments(statements: list[Signed], routes: dict) -> list[dict]:
    """Each plan.amend with the changes from the version before it, oldest first."""
    versions = [s for s in statements if s.row.type in VERSIONS]
    return [{"index": new.row.idx, "at": new.row.time.strftime("%Y-%m-%dT%H:%M:%SZ"), "party": new.row.party,
             "changes": changes(old.payload, new.payload, routes)}
            for old, new in pairwise(versions)]


def changes(old: dict, new: dict, routes: dict) -> list[dict]:
    """Rows {leg, line, item, change, before, after}: what a party reads to see what it consents to now."""
    old_legs, new_legs = _legs(old), _legs(new)
    rows = [_row(leg, None, _route_name(routes, old_legs[leg]), _("leg removed"), _leg_text(old_legs[leg]), "")
            for leg in old_legs if leg not in new_legs]
    rows += [_row(leg, None, _route_name(routes, new_legs[leg]), _("leg added"), "", _leg_text(new_legs[leg]))
             for leg in new_legs if leg not in old_legs]
    for leg_id in (leg for leg in new_legs if leg in old_legs):
        rows += _leg_changes(old_legs[leg_id], new_legs[leg_id], routes)
    for name, what in (("linkage", _("linkage")), ("tolerance_seconds", _("departure tolerance (seconds)")),
                       ("expires_at", _("expiry"))):
        if old.get(name) != new.get(name):
            rows.append(_row("", None, what, _("changed"), _text(old.get(name)), _text(new.get(name))))
    return rows


def _leg_changes(old: dict, new: dict, routes: dict) -> list[dict]:
    leg = new["id"]
    rows = []
    if old.get("route") != new.get("route") or old.get("direction") != new.get("direction"):
        rows.append(_row(leg, None, _("route"), _("changed"), _route_name(routes, old), _route_name(routes, new)))
    if _vehicles(old) != _vehicles(new):
        rows.append(_row(leg, None, _("vehicles"), _("changed"), _vehicle_text(old), _vehicle_text(new)))
    if list(old.get("seals") or ()) != list(new.get("seals") or ()):
        rows.append(_row(leg, None, _("seals"), _("changed"), joined(old.get("seals") or ()),
                         joined(new.get("seals") or ())))
    if list(old.get("crew") or ()) != list(new.get("crew") or ()):
        rows.append(_row(leg, None, _("crew"), _("changed"), _("%(n)s people") % {"n": len(old.get("crew") or ())},
                         _("%(n)s people") % {"n": len(new.get("crew") or ())}))
    old_lines, new_lines = _lines(old), _lines(new)
    rows += [_row(leg, line, old_lines[line].get("item", ""), _("line removed"), _line_text(old_lines[line]), "")
             for line in old_lines if line not in new_lines]
    for line_id, line in new_lines.items():
        before = old_lines.get(line_id)
        if before is None:
            rows.append(_row(leg, line_id, line.get("item", ""), _("line added"), "", _line_text(line)))
        elif any(before.get(f) != line.get(f) for f in LINE_FIELDS):
            rows.append(_row(leg, line_id, line.get("item", ""), _("line changed"), _line_text(before),
                             _line_text(line)))
    return rows


def _row(leg: str, line: str | None, item: str, change: str, before: str, after: str) -> dict:
    return {"leg": leg, "line": line, "item": item, "change": change, "before": before, "after": after}


def _legs(content: dict) -> dict[str, dict]:
    return {leg["id"]: leg for leg in content.get("legs") or () if isinstance(leg, dict) and "id" in leg}


def _lines(leg: dict) -> dict[str, dict]:
    return {line["id"]: line for line in leg.get("lines") or () if isinstance(line, dict) and "id" in line}


def _vehicles(leg: dict) -> list[tuple]:
    """Vehicles as the log knows them (a plate is a commitment: the same plate kept keeps its commitment)."""
    return [(v.get("id"), v.get("plate"), v.get("type")) for v in leg.get("vehicles") or () if isinstance(v, dict)]


def _vehicle_text(leg: dict) -> str:
    return joined(f"{v.get('id')} ({v.get('type')})" for v in leg.get("vehicles") or () if isinstance(v, dict))


def _line_text(line: dict) -> str:
    text = f"{line.get('quantity')} {line.get('unit')} · {line.get('weight_kg')} kg"
    if line.get("category"):
        text += f" · {line['category']}"
    return text + (f" · {line['vehicle']}" if line.get("vehicle") else "")


def _leg_text(leg: dict) -> str:
    return "; ".join(f"{line.get('item')} {line.get('quantity')} {line.get('unit')}" for line in leg.get("lines") or ())


def _route_name(routes: dict, leg: dict) -> str:
    route = routes.get(leg.get("route"))
    name = route.name if route is not None else str(leg.get("route", ""))
    return name + (f" ({_('reverse')})" if leg.get("direction") == "reverse" else "")


def _text(value: object) -> str:
    return "—" if value in (None, "") else str(value)
