"""What a refusal asks of the requester who amends: each refusing party, its reason and text, and the lines it
refused as a person finds them on the trucks (item, quantity, route, the vehicle's plate), never by their ids."""

from __future__ import annotations

from ...engine.state import PlanState
from ..ledger.record import current_fold
from ..passages.private import current_plates
from .labels import label


def refused_lines(plan: PlanState) -> list[dict]:
    """[{"party", "reason", "text", "lines": [{"item", "quantity", "unit", "route", "plate"}]}] for every
    position that refuses the plan's current version."""
    state = current_fold().state
    refusing = {party: position for party, position in plan.positions.items() if position.stance == "refused"}
    if not refusing:
        return []
    plates = {(row.leg_id, row.vehicle_id): row.plate for row in current_plates(plan)}
    return [{"party": state.parties[party].name if party in state.parties else party,
             "reason": label(position.reason, "reason") if position.reason else "", "text": position.text,
             "lines": [_line(plan, state, plates, leg_id, line_id) for leg_id, line_id in position.lines]}
            for party, position in refusing.items()]


def _line(plan: PlanState, state, plates: dict, leg_id: str, line_id: str) -> dict:
    leg = plan.content.leg(leg_id)
    line = leg.line(line_id) if leg is not None else None
    if leg is None or line is None:
        return {"item": line_id, "quantity": "", "unit": "", "route": "", "plate": ""}
    route = state.routes.get(leg.route)
    return {"item": line.item, "quantity": line.quantity, "unit": line.unit,
            "route": route.name if route is not None else leg.route, "plate": plates.get((leg.id, line.vehicle), "")}
