"""A party's own reads (the API's plans filtered by party, a plan's detail and page as one of its parties) check
each plan by its own positions: never a list or hash of every position the party has, which grows with the
log (at 100k plans a border service or receiver has 50,000). Either way a party's plans are read — as a set
of ids when it is asked about few, plan by plan when about many — the rows are the same, the SQL per request
does not grow with the log, and no query plan reads every position the party has."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.parties.operations import do_create_user
from corridor.service.passages import selection
from corridor.service.passages.models import Plan, Position

from ..plans import plan_body
from .test_query_counts import T, publish, query_counts

pytestmark = pytest.mark.django_db
N = 5
WAYS = pytest.mark.parametrize("few", [selection.FEW_ROWS, 0], ids=["ids-as-a-set", "plan-by-plan"])


def submit(parties, first: int, last: int) -> None:
    """Plans on road-a and road-b in turn: customs is asked about road-a's only, the receiver about all."""
    for n in range(first, last):
        leg = {**plan_body()["legs"][0], "route": "road-a" if n % 2 else "road-b"}
        with clock.frozen_at(T + n):
            assert parties["org-a"].post("/plans", plan_body(f"plan-{n:03d}", legs=[leg]))[0] == 201


def party_reads(parties) -> dict[str, tuple[Client, str]]:
    do_create_user("recv-web", "recv", "officer", password="a-long-test-password")
    browser = Client()
    assert browser.login(username="recv-web", password="a-long-test-password")
    api = parties["recv"].client
    return {
        "api plans, party, its own token": (api, "/api/v1/plans?page_size=2&party=recv"),
        "api plans, party, anonymous": (Client(), "/api/v1/plans?page_size=1&party=customs"),  # more than a page
        "api plans, page 2, its own token": (api, "/api/v1/plans?page_size=2&page=2"),
        "api plan detail, its party": (api, "/api/v1/plans/plan-001"),
        "plan page, its party": (browser, "/plans/plan-001"),
    }


@WAYS
def test_a_partys_reads_run_as_many_queries_on_a_log_ten_times_larger(parties, tiles, monkeypatch, few):
    monkeypatch.setattr(selection, "FEW_ROWS", few)
    endpoints = party_reads(parties)
    submit(parties, 0, N)
    publish()
    small = query_counts(endpoints)
    submit(parties, N, 10 * N)
    publish()
    assert query_counts(endpoints) == small


@WAYS
def test_the_party_filter_lists_the_partys_plans_newest_first(parties, tiles, monkeypatch, few):
    monkeypatch.setattr(selection, "FEW_ROWS", few)
    submit(parties, 0, 7)
    for party in ("border", "recv", "org-a", "customs"):
        expected = list(Plan.objects.filter(
            Q(requester_id=party) | Q(pk__in=Position.objects.filter(party_id=party).values("plan_id")))
            .order_by("-submitted_at", "id").values_list("id", flat=True))
        listed, page = [], 1
        while True:
            body = parties["recv"].client.get("/api/v1/plans", {"party": party, "page_size": 3, "page": page}).json()
            listed += [row["plan"] for row in body["results"]]
            if len(body["results"]) < 3:
                break
            page += 1
        assert listed == expected, party
        assert body["count"] == len(expected) and body["count_exact"]
        for client in (parties["recv"].client, Client()):  # by cursor, with a token and without: the same plans
            walked, after = [], ""
            while after is not None:
                body = client.get("/api/v1/plans", {"party": party, "page_size": 2, "after": after}).json()
                walked, after = walked + [row["plan"] for row in body["results"]], body["next"]
            assert walked == expected, party
    assert 0 < Position.objects.filter(party_id="customs").count() < 7  # customs is asked about road-a only


def explain(sql: str, prefer_indexes: bool = False) -> str:
    """The query's plan. `prefer_indexes`: on PostgreSQL, with sorts and sequential scans priced out, as on a
    large table (on a few rows it rightly sorts them), so the plan shows whether an index gives the order."""
    with connection.cursor() as cursor:
        if prefer_indexes and connection.vendor != "sqlite":
            cursor.execute("SET enable_sort = off; SET enable_seqscan = off")
        try:
            cursor.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        finally:
            if prefer_indexes and connection.vendor != "sqlite":
                cursor.execute("RESET enable_sort; RESET enable_seqscan")


@contextlib.contextmanager
def sql_run_anywhere() -> Iterator[list[str]]:
    """The SQL run meanwhile on every database: a read may go to the replica (`make test-replica`)."""
    run: list[str] = []
    with contextlib.ExitStack() as stack:
        captures = [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections]
        yield run
    run.extend(query["sql"] for capture in captures for query in capture.captured_queries)


def read_in_index_order(sql: str, index: str) -> tuple[bool, str]:
    """Whether the query reads its rows off an index named `index…` in the order asked, with no sort: SQLite's
    plan names the index and uses no temporary B-tree; PostgreSQL's (indexes preferred) has no Sort node."""
    plan = explain(sql, prefer_indexes=True)
    if connection.vendor == "sqlite":
        return "TEMP B-TREE" not in plan and f"USING INDEX {index}" in plan, plan
    return "Sort" not in plan and f" {index}" in plan, plan


@WAYS
def test_no_query_plan_reads_every_position_the_party_has(parties, tiles, monkeypatch, few):
    """Where a query reads a party's positions by party (the set of ids, when few), it reads at most
    FEW_ROWS + 1 of them; every other check of a plan's positions is by the plan's key."""
    monkeypatch.setattr(selection, "FEW_ROWS", few)
    endpoints = party_reads(parties)
    submit(parties, 0, N)
    publish()
    checked = 0
    for name, (client, path) in endpoints.items():
        with clock.frozen_at(T + 3600):
            assert client.get(path).status_code == 200, name
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200, name
        for query in queries.captured_queries:
            sql = query["sql"]
            if '"position"' not in sql or not sql.startswith("SELECT"):
                continue
            plan = explain(sql)
            checked += 1
            assert "LIST SUBQUERY" not in plan and "hashed SubPlan" not in plan, (name, sql, plan)
            by_party = re.search(r'"party_id" (=|IN) ', sql)
            if by_party and '"plan_id" = ("plan"."id")' not in sql:  # not checked per plan: a bounded read
                limits = [int(n) for n in re.findall(r"LIMIT (\d+)", sql)]
                assert limits and max(limits) <= few + 1, (name, sql, plan)
    assert checked >= 4
