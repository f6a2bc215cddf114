"""Fold a scenario's statements through the engine, keeping a readable timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..engine import RuleViolation, State, apply, parse_statement, settle
from ..engine.times import parse_time
from .loader import Scenario, ScenarioError, ScenarioStatement


@dataclass
class TimelineEntry:
    at: str
    party: str
    type: str
    plan: str | None
    status: str | None
    line: int
    statement: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    scenario: Scenario
    state: State
    as_of: int
    timeline: list[TimelineEntry] = field(default_factory=list)


def run_scenario(scenario: Scenario) -> Run:
    """Apply every statement in order; stop at the first the rules refuse, naming its line."""
    state = _registry_state(scenario)
    timeline: list[TimelineEntry] = []
    next_seq: dict[str, int] = {}
    for item in scenario.statements:
        raw = _raw_statement(state, item, next_seq)
        try:
            apply(state, parse_statement(raw))
        except RuleViolation as error:
            raise ScenarioError(error.message, line=item.line, code=error.code, statement=raw) from None
        next_seq[item.by] = raw["seq"] + 1
        plan = state.plans.get(item.plan) if item.plan else None
        timeline.append(TimelineEntry(item.at, item.by, item.do, item.plan, plan and plan.status, item.line, raw))
    as_of = _as_of(scenario, state)
    settle(state, as_of)
    return Run(scenario=scenario, state=state, as_of=as_of, timeline=timeline)


def _registry_state(scenario: Scenario) -> State:
    party_ids = {party.id for party in scenario.parties}
    for route in scenario.routes:
        named = {req.party for req in route.policy} | {p for c in route.checkpoints for p in c.inspected_by}
        unknown = sorted(named - party_ids)
        if unknown:
            raise ScenarioError(f"route {route.id} names unregistered parties: {', '.join(unknown)}")
        if not route.checkpoints:
            raise ScenarioError(f"route {route.id} needs at least one checkpoint: its gate")
    return State.with_registry(scenario.parties, scenario.routes)


def _raw_statement(state: State, item: ScenarioStatement, next_seq: dict[str, int]) -> dict[str, Any]:
    payload = dict(item.payload)
    if payload.get("version") == "current":
        plan = state.plans.get(item.plan or "")
        payload["version"] = plan.version if plan else "no-such-plan"
    raw: dict[str, Any] = {
        "type": item.do,
        "party": item.by,
        "seq": item.seq or next_seq.get(item.by, 1),
        "time": item.at,
        "payload": payload,
    }
    if item.plan is not None:
        raw["plan"] = item.plan
    return raw


def _as_of(scenario: Scenario, state: State) -> int:
    if scenario.as_of is None:
        return state.clock
    try:
        return parse_time(scenario.as_of, "as_of")
    except RuleViolation as error:
        raise ScenarioError(error.message) from None
