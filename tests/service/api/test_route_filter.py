"""The plans of one route (GET /api/v1/plans?route=, /plans?route=): a route few plans took is read as the set
of their ids, off the legs' route index, never by checking every plan newest first until the list ends; a
route many took, plan by plan as the newest are read (a page fills after a few). The rows are the same."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.passages import selection

from ..plans import plan_body
from .test_party_reads import WAYS

pytestmark = pytest.mark.django_db
T = 1694421000


def submit(parties, count: int) -> None:
    """`count` plans on road-a, the third of them on road-b instead."""
    for n in range(count):
        leg = {**plan_body()["legs"][0], "route": "road-b" if n == 2 else "road-a"}
        with clock.frozen_at(T + n):
            assert parties["org-a"].post("/plans", plan_body(f"plan-{n:03d}", legs=[leg]))[0] == 201


def web_listed(page: str) -> list[str]:
    return re.findall(r'href="/plans/(plan-\d+)"', page)


@WAYS
def test_a_routes_plans_are_listed_newest_first_either_way(parties, monkeypatch, few):
    monkeypatch.setattr(selection, "FEW_ROWS", few)
    submit(parties, 6)
    api = Client().get("/api/v1/plans", {"route": "road-a", "page_size": 3}).json()
    after = Client().get("/api/v1/plans", {"route": "road-a", "page_size": 3, "after": api["next"]}).json()
    assert [r["plan"] for r in api["results"] + after["results"]] == ["plan-005", "plan-004", "plan-003",
                                                                      "plan-001", "plan-000"]
    assert [r["plan"] for r in Client().get("/api/v1/plans", {"route": "road-b"}).json()["results"]] == ["plan-002"]
    assert web_listed(Client().get("/plans", {"route": "road-b"}).content.decode()) == ["plan-002"]


@pytest.mark.parametrize("path", ["/api/v1/plans", "/plans"])
def test_a_route_few_plans_took_is_read_by_their_ids(parties, path):
    """No plan is checked for a leg on the route one by one: at a million plans, a route taken by three would
    have every plan read to find them (and to find that there are no more)."""
    submit(parties, 4)
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(path, {"route": "road-b"}).status_code == 200
    plans = [q["sql"] for q in queries.captured_queries if re.match(r'SELECT .* FROM "plan"', q["sql"])]
    assert plans and not [sql for sql in plans if '"leg"' in sql], plans  # the legs read apart, by route
