"""Lists filtered by a value few rows have (the legs of one phase or route, the plans of one linkage) are read
newest first off an index that starts with the filter: one read of the page, in the index's order, however many
plans the log has before the first that matches. Walking the plans newest first for them grew with the log."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.service import clock
from corridor.service.passages.models import Leg, Plan

from ..plans import plan_body
from .test_party_reads import read_in_index_order, sql_run_anywhere

pytestmark = pytest.mark.django_db
T = 1694421000


def submit(parties, count: int, rare: dict | None = None) -> None:
    """`count` plans on road-a, a second apart, the oldest (plan-000) with `rare` in its body."""
    for n in range(count):
        body = plan_body(f"plan-{n:03d}", **(rare or {} if n == 0 else {}))
        with clock.frozen_at(T + n):
            assert parties["org-a"].post("/plans", body)[0] == 201


def only_read(run: list[str], table: str) -> str:
    [sql] = [sql for sql in run if sql.startswith("SELECT") and f'FROM "{table}"' in sql and "ORDER BY" in sql]
    return sql


def test_the_legs_of_a_route_only_the_oldest_plan_took_are_one_read_off_the_route_index(parties):
    submit(parties, 6, {"legs": [{**plan_body()["legs"][0], "route": "road-b"}]})
    with sql_run_anywhere() as run:
        page = Client().get("/api/v1/legs", {"route": "road-b", "page_size": 1}).json()
    assert [(row["plan"], row["route"]) for row in page["results"]] == [("plan-000", "road-b")]
    assert page["next"] is None and page["count"] == 1
    sql = only_read(run, "leg")
    ordered, query_plan = read_in_index_order(sql, "leg_route_newest")
    assert ordered, (sql, query_plan)
    assert not [sql for sql in run if 'FROM "plan"' in sql and "ORDER BY" in sql], run  # no plan walked


def test_a_phases_legs_are_read_newest_first_off_the_phase_index_page_after_page(parties):
    submit(parties, 5)
    first = Client().get("/api/v1/legs", {"phase": "planned", "page_size": 2}).json()
    assert [row["plan"] for row in first["results"]] == ["plan-004", "plan-003"]
    with sql_run_anywhere() as run:
        second = Client().get("/api/v1/legs", {"phase": "planned", "page_size": 2, "after": first["next"]}).json()
    assert [row["plan"] for row in second["results"]] == ["plan-002", "plan-001"]
    sql = only_read(run, "leg")
    ordered, query_plan = read_in_index_order(sql, "leg_phase_newest")
    assert ordered, (sql, query_plan)
    assert Client().get("/api/v1/legs", {"phase": "held"}).json()["results"] == []


def test_the_plans_of_a_linkage_few_have_are_read_off_the_linkage_index(parties):
    legs = [{**plan_body()["legs"][0], "id": "leg-a"}, {**plan_body()["legs"][0], "id": "leg-b"}]
    submit(parties, 4, {"linkage": "simultaneous", "legs": legs})
    with sql_run_anywhere() as run:
        page = Client().get("/api/v1/plans", {"linkage": "simultaneous", "page_size": 1}).json()
    assert [row["plan"] for row in page["results"]] == ["plan-000"] and page["next"] is None
    sql = only_read(run, "plan")
    ordered, query_plan = read_in_index_order(sql, "plan_linkage_newest")
    assert ordered, (sql, query_plan)


def test_each_leg_carries_its_plans_submission_time(parties):
    submit(parties, 3)
    for leg in Leg.objects.select_related("plan"):
        assert leg.submitted_at == leg.plan.submitted_at
    assert Plan.objects.count() == 3
