"""Fold a scenario's statements through the engine, keeping a readable timeline.

A scenario is written in clear (slot windows, plates, crew names), as people read it; the runner signs what
the service would sign: commitments (corridor.privacy), keeping the clear values in memory so that a
`plan.reveal` written without a payload reveals the plan's current window and plates."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from ..engine import RuleViolation, State, apply, parse_statement, settle
from ..engine.times import parse_time
from ..privacy import PrivacyError, commit_plan, commit_window, reveal_payload
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
    secrets: Secrets = field(default_factory=lambda: Secrets())


@dataclass
class Secrets:
    """The clear values the scenario's parties committed to, as the service keeps them privately."""

    windows: dict[tuple[str, str], dict] = field(default_factory=dict)  # (plan, slot) -> window record
    plates: dict[str, list[dict]] = field(default_factory=dict)  # plan -> plate records of its current content

    def commit(self, kind: str, plan: str | None, payload: dict[str, Any]) -> dict[str, Any]:
        if kind == "slot.propose":
            payload, private = commit_window(payload)
            if private.window:
                self.windows[(plan or "", private.window["slot"])] = private.window
        elif kind in ("plan.submit", "plan.amend"):
            crew = {leg["id"]: leg.pop("crew") for leg in payload.get("legs", []) if isinstance(leg, dict)
                    and any(isinstance(m, dict) and "name" in m for m in leg.get("crew") or [])}  # clear: persons
            payload, private = commit_plan(payload, crew or None)
            self.plates[plan or ""] = private.plates
        return payload

    def reveal(self, state: State, plan_id: str) -> dict[str, Any]:
        plan = state.plans.get(plan_id)
        slot = plan.slot if plan else None
        window = self.windows.get((plan_id, slot.id)) if slot is not None else None
        return reveal_payload(window, self.plates.get(plan_id, []))


def run_scenario(scenario: Scenario) -> Run:
    """Apply every statement in order; stop at the first the rules refuse, naming its line."""
    state = _registry_state(scenario)
    timeline: list[TimelineEntry] = []
    next_seq: dict[str, int] = {}
    secrets = Secrets()
    for item in scenario.statements:
        try:
            raw = _raw_statement(state, item, next_seq, secrets)
            apply(state, parse_statement(raw))
        except PrivacyError as error:
            raise ScenarioError(error.message, line=item.line, code=error.code) from None
        except RuleViolation as error:
            raise ScenarioError(error.message, line=item.line, code=error.code, statement=raw) from None
        next_seq[item.by] = raw["seq"] + 1
        plan = state.plans.get(item.plan) if item.plan else None
        timeline.append(TimelineEntry(item.at, item.by, item.do, item.plan, plan and plan.status, item.line, raw))
    as_of = _as_of(scenario, state)
    settle(state, as_of)
    return Run(scenario=scenario, state=state, as_of=as_of, timeline=timeline, secrets=secrets)


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


def _raw_statement(state: State, item: ScenarioStatement, next_seq: dict[str, int],
                   secrets: Secrets) -> dict[str, Any]:
    payload = secrets.commit(item.do, item.plan, copy.deepcopy(item.payload))
    if payload.get("version") == "current":
        plan = state.plans.get(item.plan or "")
        payload["version"] = plan.version if plan else "no-such-plan"
    if item.do == "plan.reveal" and not payload:
        payload = secrets.reveal(state, item.plan or "")
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
