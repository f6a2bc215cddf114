"""GET /plans/{id} shows a plan's latest statements, and GET /plans/{id}/timeline pages back through the rest:
a plan a party fills with notes costs every reader the same as a short one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from corridor.service.ledger.models import StatementIndex
from corridor.service.passages.history import MAX_TIMELINE_PAGE, TIMELINE_PAGE

from ..passages.test_history import notes
from ..web import stages

pytestmark = pytest.mark.django_db


def indexes(rows: list[dict]) -> list[int]:
    return [row["index"] for row in rows]


def test_the_detail_shows_the_latest_statements_and_says_where_the_earlier_ones_are(parties):
    stages.submitted(parties)
    notes(parties, TIMELINE_PAGE + 4)
    everything = list(StatementIndex.objects.filter(plan="p1").order_by("idx").values_list("idx", flat=True))
    detail = Client().get("/api/v1/plans/p1").json()
    assert indexes(detail["timeline"]) == everything[-TIMELINE_PAGE:]
    assert detail["timeline_before"] == everything[-TIMELINE_PAGE]
    earlier = Client().get("/api/v1/plans/p1/timeline", {"before": detail["timeline_before"]}).json()
    assert indexes(earlier["results"]) == everything[:-TIMELINE_PAGE] and earlier["next_before"] is None
    assert earlier["results"][0]["type"] == "plan.submit" and earlier["results"][0]["proof"].startswith("/log/proof/")


def test_a_short_plan_has_its_whole_timeline_in_the_detail(parties):
    stages.submitted(parties)
    stages.consented(parties)
    detail = Client().get("/api/v1/plans/p1").json()
    assert [row["type"] for row in detail["timeline"]] == ["plan.submit", *["plan.consent"] * 4]
    assert detail["timeline_before"] is None


def test_the_pages_give_every_statement_once_in_log_order(parties):
    stages.submitted(parties)
    notes(parties, 6)
    everything = list(StatementIndex.objects.filter(plan="p1").order_by("idx").values_list("idx", flat=True))
    pages, before = [], None
    while True:
        page = Client().get("/api/v1/plans/p1/timeline", {"page_size": 3} | ({"before": before} if before else {}))
        assert page.status_code == 200
        pages.insert(0, indexes(page.json()["results"]))
        before = page.json()["next_before"]
        if before is None:
            break
    assert [idx for page in pages for idx in page] == everything and [len(p) for p in pages] == [1, 3, 3]


def test_a_page_costs_the_same_on_a_long_plan(parties):
    stages.submitted(parties)
    notes(parties, 3)
    Client().get("/api/v1/plans/p1")  # warm-up: what a process keeps is read once
    counts = []
    for more in (0, TIMELINE_PAGE + 20):
        notes(parties, more, first=10)
        for path in ("/api/v1/plans/p1", "/api/v1/plans/p1/timeline"):
            with CaptureQueriesContext(connection) as queries:
                assert Client().get(path).status_code == 200
            counts.append(len(queries))
    assert counts[:2] == counts[2:]


@pytest.mark.parametrize(("query", "status", "code"), [
    ({"page_size": 0}, 400, "query.invalid"),
    ({"page_size": MAX_TIMELINE_PAGE + 1}, 400, "query.invalid"),
    ({"before": 0}, 400, "query.invalid"),
    ({"before": "x"}, 400, "query.invalid"),
])
def test_a_bad_page_is_refused_with_its_reason(parties, query, status, code):
    stages.submitted(parties)
    answer = Client().get("/api/v1/plans/p1/timeline", query)
    assert answer.status_code == status and answer.json()["code"] == code


def test_an_unknown_plan_has_no_timeline(parties):
    answer = Client().get("/api/v1/plans/nothing-here/timeline")
    assert answer.status_code == 404 and answer.json()["code"] == "plan.not_found"
