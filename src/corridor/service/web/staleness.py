"""What changed since a page was shown: when a form comes back with a plan version other than the current
one, the officer is told who amended the plan and when, and which legs and lines differ."""

from __future__ import annotations

from ...engine.model import Leg, PlanContent
from ...engine.rules.common import plan_version
from ...engine.state import PlanState
from ...engine.statements import parse_statement
from ...ledger.envelope import unseal
from ..ledger.models import LogEntry, StatementIndex
from ..parties.models import Route
from .leg_names import leg_names

VERSIONS = ("plan.submit", "plan.amend")


def explain(plan: PlanState, seen: str) -> str:
    """A plain message for a form rendered with version `seen` of `plan`."""
    if not seen:
        return (f"this page did not say which version of plan {plan.id} it showed; nothing was signed. "
                "Reload the plan, review it and act again.")
    amended = StatementIndex.objects.filter(plan=plan.id, type="plan.amend").order_by("-idx").first()
    when = f" at {amended.time:%Y-%m-%d %H:%M} UTC" if amended else ""
    message = (f"plan {plan.id} was amended by {plan.requester}{when} after this page was shown "
               f"(version {seen[:12]}… is now {plan.version[:12]}…); nothing was signed. "
               "Review the plan as it is now and act again.")
    earlier = _content_of_version(plan.id, seen)
    changes = _changes(earlier, plan.content) if earlier is not None else []
    return f"{message} What changed: {'; '.join(changes)}." if changes else message


def _content_of_version(plan_id: str, version: str) -> PlanContent | None:
    indexes = StatementIndex.objects.filter(plan=plan_id, type__in=VERSIONS).values_list("idx", flat=True)
    for data in LogEntry.objects.filter(idx__in=list(indexes)).order_by("-idx").values_list("data", flat=True):
        content = parse_statement(unseal(bytes(data)).statement).payload
        if plan_version(content) == version:
            return content
    return None


def _changes(old: PlanContent, new: PlanContent) -> list[str]:
    """What differs, legs by name and lines by item (web/leg_names.py), never by id."""
    routes = {route.id: route for route in Route.objects.only("id", "name")}  # not the fold: its lock may be held
    old_names, new_names = leg_names(old.legs, routes), leg_names(new.legs, routes)
    old_legs, new_legs = {leg.id: leg for leg in old.legs}, {leg.id: leg for leg in new.legs}
    changes = [f"leg {old_names[leg]} removed" for leg in old_legs if leg not in new_legs]
    changes += [f"leg {new_names[leg]} added" for leg in new_legs if leg not in old_legs]
    for leg_id in (leg for leg in new_legs if leg in old_legs):
        changes += _leg_changes(old_legs[leg_id], new_legs[leg_id], new_names[leg_id])
    for field in ("linkage", "tolerance_seconds", "expires_at"):
        if getattr(old, field) != getattr(new, field):
            changes.append(f"{field} {getattr(old, field)} → {getattr(new, field)}")
    return changes


def _leg_changes(old: Leg, new: Leg, name: str) -> list[str]:
    changes = [f"{name}: {field} changed" for field in ("route", "direction", "vehicles", "crew", "seals")
               if getattr(old, field) != getattr(new, field)]
    old_lines, new_lines = {line.id: line for line in old.lines}, {line.id: line for line in new.lines}
    changes += [f"{name}: {line.item} removed" for line_id, line in old_lines.items() if line_id not in new_lines]
    changes += [f"{name}: {line.item} added" for line_id, line in new_lines.items() if line_id not in old_lines]
    for line_id, line in new_lines.items():
        before = old_lines.get(line_id)
        if before is None or before == line:
            continue
        if before.quantity != line.quantity:
            changes.append(f"{name}: {line.item} quantity {before.quantity} → {line.quantity} {line.unit}")
        else:
            changes.append(f"{name}: {line.item} changed")
    return changes
