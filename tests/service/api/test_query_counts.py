"""The SQL a read runs does not grow with the log: every main page and API read, after one warm-up request,
runs the same number of queries on a log of N plans and on one of 10N, and no more than MAX_QUERIES."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.exports import published
from corridor.service.ledger.integrator import integrate_now
from corridor.service.parties.operations import do_create_user
from corridor.service.web import precompute

from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694421000  # 2023-09-11T08:30:00Z
N = 5  # above two pages of two rows: the lists count their rows
MAX_QUERIES = 34  # the plan page for one of its parties runs the most (31): detail, private rows, actions, its
# versions and inspections whole and its timeline's window (passages/history.py), documents, the response deadline


def submit(parties, first: int, last: int) -> None:
    for n in range(first, last):
        with clock.frozen_at(T + n):
            assert parties["org-a"].post("/plans", plan_body(f"plan-{n:03d}"))[0] == 201


def publish() -> None:
    """The worker's steps: a checkpoint, its figures, the page's aggregates."""
    integrate_now()
    published.refresh(force=True)
    precompute.refresh(force=True)


def reads(parties) -> dict[str, tuple[Client, str]]:
    do_create_user("recv-web", "recv", "officer", password="a-long-test-password")
    browser = Client()
    assert browser.login(username="recv-web", password="a-long-test-password")
    anonymous, api = Client(), parties["recv"].client
    return {
        "public page": (anonymous, "/"),
        "log page": (anonymous, "/transparency/log"),
        "log page, older": (anonymous, "/transparency/log?before=10"),
        "incidents page": (anonymous, "/incidents"),
        "plan page": (anonymous, "/plans/plan-001"),
        "party home": (browser, "/home"),
        "plan page, its party": (browser, "/plans/plan-001"),
        "api plans": (anonymous, "/api/v1/plans?page_size=2"),
        "api plans, page 2": (anonymous, "/api/v1/plans?page_size=2&page=2"),
        "api plans, party": (api, "/api/v1/plans?page_size=2&party=recv"),
        "api plans, route": (anonymous, "/api/v1/plans?page_size=2&route=road-a"),
        "api plans, status": (anonymous, "/api/v1/plans?page_size=2&status=submitted"),
        "api plan detail": (api, "/api/v1/plans/plan-001"),
        "api legs": (anonymous, "/api/v1/legs?page_size=2"),
        "api lines": (anonymous, "/api/v1/lines?page_size=2"),
        "api waiting": (anonymous, "/api/v1/waiting?page_size=2&now=true"),
        "api waiting board": (anonymous, "/api/v1/waiting/board"),
        "api stats": (anonymous, "/api/v1/stats"),
        "api incidents": (anonymous, "/api/v1/incidents?page_size=2"),
        "api attestations": (anonymous, "/api/v1/attestations?page_size=2"),
        "api export": (anonymous, "/api/v1/export/plans.csv"),
        "api party signatures": (api, "/api/v1/parties/recv/signatures?page_size=2"),
    }


def query_counts(endpoints: dict[str, tuple[Client, str]]) -> dict[str, int]:
    counts = {}
    for name, (client, path) in endpoints.items():
        with clock.frozen_at(T + 3600):
            assert client.get(path).status_code == 200, name  # warm-up: what a process keeps is computed once
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_every_main_read_runs_as_many_queries_on_a_log_ten_times_larger(parties, tiles):
    endpoints = reads(parties)
    submit(parties, 0, N)
    publish()
    small = query_counts(endpoints)
    submit(parties, N, 10 * N)
    publish()
    large = query_counts(endpoints)
    assert large == small
    assert max(small.values()) <= MAX_QUERIES, small
