"""What changed since a page was shown: when a form comes back with a plan version other than the current
one, the officer is told who amended the plan and when, and which legs and lines differ."""

from __future__ import annotations

from ...engine.model import Leg, PlanContent
from ...engine.rules.common import plan_version
from ...engine.state import PlanState
from ...engine.statements import parse_statement
from ...ledger.envelope import unseal
from ..ledger.models import LogEntry, StatementIndex

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
    old_legs, new_legs = {leg.id: leg for leg in old.legs}, {leg.id: leg for leg in new.legs}
    changes = [f"leg {leg} removed" for leg in old_legs if leg not in new_legs]
    changes += [f"leg {leg} added" for leg in new_legs if leg not in old_legs]
    for leg_id in (leg for leg in new_legs if leg in old_legs):
        changes += _leg_changes(old_legs[leg_id], new_legs[leg_id])
    for field in ("linkage", "tolerance_seconds", "expires_at"):
        if getattr(old, field) != getattr(new, field):
            changes.append(f"{field} {getattr(old, field)} → {getattr(new, field)}")
    return changes


def _leg_changes(old: Leg, new: Leg) -> list[str]:
    changes = [f"leg {new.id}: {field} changed" for field in ("route", "direction", "vehicles", "crew", "seals")
               if getattr(old, field) != getattr(new, field)]
    old_lines, new_lines = {line.id: line for line in old.lines}, {line.id: line for line in new.lines}
    changes += [f"leg {new.id}: line {line} removed" for line in old_lines if line not in new_lines]
    changes += [f"leg {new.id}: line {line} added" for line in new_lines if line not in old_lines]
    for line_id, line in new_lines.items():
        before = old_lines.get(line_id)
        if before is None or before == line:
            continue
        if before.quantity != line.quantity:
            changes.append(f"leg {new.id}: line {line_id} quantity {before.quantity} → {line.quantity} {line.unit}")
        else:
            changes.append(f"leg {new.id}: line {line_id} changed")
    return changes
