"""Drive a scenario's statements through the HTTP API, one client per party, at the scenario's times."""

from __future__ import annotations

import copy

from corridor.engine.times import parse_time
from corridor.scenario.loader import load_scenario
from corridor.service import clock
from corridor.service.api.actions import PLAN_ACTIONS

PATHS = {kind: verb for verb, kind, _ in PLAN_ACTIONS}


def endpoint(kind: str, plan: str | None, payload: dict) -> tuple[str, dict]:
    """The API path and body for one statement. Crew written inline in a scenario's legs (name, document)
    go in the API's private `crew` object; clear windows and plates go as they are (the server commits)."""
    if kind in ("plan.submit", "plan.amend"):
        payload = copy.deepcopy(payload)
        crew = {leg["id"]: leg.pop("crew") for leg in payload.get("legs", []) if leg.get("crew")}
        payload = payload | ({"crew": crew} if crew else {})
    if kind == "plan.submit":
        return "/plans", {"plan": plan, **payload}
    if kind == "incident.report":
        return "/incidents", ({"plan": plan} if plan else {}) | payload
    if kind == "incident.dispute":
        body = dict(payload)
        return f"/incidents/{body.pop('incident')}/dispute", body
    return f"/plans/{plan}/{PATHS[kind]}", payload


def drive(scenario_path, clients) -> list[dict]:
    """Send every statement; returns the API's answers. `version: current` is read from the API."""
    answers = []
    for item in load_scenario(scenario_path).statements:
        if item.do == "plan.reveal" and len(item.payload) == 0:
            # the service revealed it when the plan closed (the requester's custodial key)
            detail = clients[item.by].get(f"/plans/{item.plan}")[1]
            assert detail["window"]["revealed"] and all(p["revealed"] for p in detail["plates"]), item.line
            continue
        payload = dict(item.payload)
        if payload.get("version") == "current":
            payload["version"] = clients[item.by].get(f"/plans/{item.plan}")[1]["version"]
        path, body = endpoint(item.do, item.plan, payload)
        with clock.frozen_at(parse_time(item.at)):
            status, answer = clients[item.by].post(path, body)
        assert status == 201, (item.line, item.do, answer)
        answers.append(answer)
    return answers
