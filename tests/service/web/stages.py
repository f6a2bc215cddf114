"""Bring the small road-A plan (tests/service/plans.py) to a stage through the API, at known times."""

from __future__ import annotations

from corridor.service import clock

from ..plans import plan_body

T = 1694420000  # 2023-09-11T08:13:20Z
REQUIRED = ("border", "customs", "recv", "escort")


def post(parties, party: str, path: str, body: dict, at: int) -> dict:
    with clock.frozen_at(at):
        status, answer = parties[party].post(path, body)
    assert status == 201, (path, answer)
    return answer


def version(parties, plan: str = "p1") -> str:
    return parties["org-a"].get(f"/plans/{plan}")[1]["version"]


def submitted(parties, plan: str = "p1", at: int = T, **overrides) -> None:
    post(parties, "org-a", "/plans", plan_body(plan, **overrides), at)


def amend(parties, plan: str = "p1", quantity: int = 25, at: int = T + 600) -> None:
    body = plan_body(plan)
    body["legs"][0]["lines"][0]["quantity"] = quantity
    del body["plan"]
    post(parties, "org-a", f"/plans/{plan}/amend", body, at)


def consented(parties, plan: str = "p1", at: int = T + 1200) -> None:
    current = version(parties, plan)
    for party in REQUIRED:
        post(parties, party, f"/plans/{plan}/consent", {"version": current}, at)


def slot_proposed(parties, plan: str = "p1", slot: str = "s1", at: int = T + 1800) -> None:
    """A slot from 12:00 to 13:00 on 11 Sep 2023 (the day of T)."""
    post(parties, "org-a", f"/plans/{plan}/propose-slot",
         {"slot": slot, "start": "2023-09-11T12:00:00Z", "end": "2023-09-11T13:00:00Z"}, at)


def scheduled(parties, plan: str = "p1", at: int = T + 2400) -> None:
    slot_proposed(parties, plan)
    for party in REQUIRED:
        post(parties, party, f"/plans/{plan}/confirm-slot", {"slot": "s1"}, at)


def arrived(parties, plan: str = "p1", at: int = 1694433900) -> None:
    """At the Lachin checkpoint at 12:05."""
    post(parties, "org-a", f"/plans/{plan}/arrive", {"leg": "leg-a", "checkpoint": "lachin-checkpoint"}, at)
