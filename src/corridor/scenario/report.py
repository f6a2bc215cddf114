"""What a scenario run shows: a readable timeline and a per-plan summary (text or JSON)."""

from __future__ import annotations

from typing import Any

from ..engine import PlanState, waiting_seconds
from ..engine.times import format_duration, format_time
from .runner import Run


def departure_spread(plan: PlanState) -> int | None:
    """Seconds between the first and last departure of a simultaneous plan's legs (None until all left)."""
    departures = [leg.departed_at for leg in plan.legs.values()]
    if not plan.simultaneous or any(moment is None for moment in departures):
        return None
    return max(departures) - min(departures)


def plan_summary(plan: PlanState, as_of: int) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "id": plan.id,
        "requester": plan.requester,
        "linkage": plan.content.linkage,
        "status": plan.status,
        "version": plan.version,
        "legs": {leg.id: leg.phase for leg in plan.legs.values()},
        "waiting_on": sorted(plan.waiting_since),
        "waiting_seconds_by_party": waiting_seconds(plan, as_of),
    }
    if plan.simultaneous:
        spread = departure_spread(plan)
        summary["departure_spread_seconds"] = spread
        summary["within_tolerance"] = None if spread is None else spread <= plan.content.tolerance_seconds
    return summary


def run_report(run: Run) -> dict[str, Any]:
    state = run.state
    return {
        "scenario": run.scenario.name,
        "as_of": format_time(run.as_of),
        "statements": len(run.timeline),
        "plans": [plan_summary(plan, run.as_of) for plan in state.plans.values()],
        "incidents": [
            {
                "id": incident_id,
                "reporter": incident.reporter,
                "category": incident.claim.category,
                "place": incident.claim.place.name,
                "text": incident.claim.text,
                "disputes": [{"party": d.party, "text": d.text, "at": format_time(d.at)} for d in incident.disputes],
            }
            for incident_id, incident in state.incidents.items()
        ],
    }


def render_text(run: Run) -> str:
    report = run_report(run)
    lines = [f"Scenario: {report['scenario']} — {report['statements']} statements, as of {report['as_of']}", ""]
    lines += ["Timeline"] + [_timeline_row(entry) for entry in run.timeline] + [""]
    for plan in report["plans"]:
        lines += _plan_block(plan)
    lines += _incident_block(report["incidents"])
    return "\n".join(lines)


def _timeline_row(entry: Any) -> str:
    after = f"→ {entry.status}" if entry.status else ""
    return f"  {entry.at:<21} {entry.party:<10} {entry.type:<17} {entry.plan or '-':<12} {after}"


def _plan_block(plan: dict[str, Any]) -> list[str]:
    lines = [f"Plan {plan['id']} ({plan['linkage']}, requested by {plan['requester']}): {plan['status']}"]
    lines += [f"  leg {leg}: {phase}" for leg, phase in plan["legs"].items()]
    lines.append("  waited on (party: total):")
    ranked = sorted(plan["waiting_seconds_by_party"].items(), key=lambda item: -item[1])
    lines += [f"    {party:<10} {format_duration(seconds):>12}" for party, seconds in ranked]
    if plan["waiting_on"]:
        lines.append(f"  now waiting on: {', '.join(plan['waiting_on'])}")
    if "departure_spread_seconds" in plan and plan["departure_spread_seconds"] is not None:
        verdict = "within tolerance" if plan["within_tolerance"] else "OUTSIDE tolerance"
        lines.append(f"  departure spread: {format_duration(plan['departure_spread_seconds'])} ({verdict})")
    return [*lines, ""]


def _incident_block(incidents: list[dict[str, Any]]) -> list[str]:
    lines = ["Incident claims (each party's signed word; the software does not judge)"] if incidents else []
    for incident in incidents:
        lines.append(f"  {incident['id']} [{incident['category']}] by {incident['reporter']} at {incident['place']}")
        lines += [f"    disputed by {d['party']} ({d['at']}): {d['text']}" for d in incident["disputes"]]
    return lines
