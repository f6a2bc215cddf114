"""A plan's timeline is read a window at a time (passages/history.timeline_window): whatever the plan's length,
a read costs the same, and the windows, read back one after another, give every statement once, in log order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.service.ledger.models import StatementIndex
from corridor.service.passages.history import TIMELINE_PAGE, timeline_window

from ..web import stages

pytestmark = pytest.mark.django_db


def notes(parties, count: int, plan: str = "p1", first: int = 0) -> None:
    for n in range(first, first + count):
        stages.post(parties, "org-a", f"/plans/{plan}/note", {"sha256": f"{n:064x}"}, stages.T + 60 + n)


def every_window(plan: str, size: int) -> list[list[int]]:
    windows, before = [], None
    while True:
        rows, before = timeline_window(plan, before, size)
        windows.append([row.idx for row in rows])
        if before is None:
            return windows


def test_the_windows_give_every_statement_of_the_plan_once_in_log_order(parties):
    stages.submitted(parties)
    stages.submitted(parties, plan="p2")  # another plan's statements, interleaved, never shown
    notes(parties, 6)
    notes(parties, 2, plan="p2", first=100)
    mine = list(StatementIndex.objects.filter(plan="p1").order_by("idx").values_list("idx", flat=True))
    windows = every_window("p1", 3)
    assert [len(w) for w in windows] == [3, 3, 1]  # the latest first: the submission is alone in the last
    assert [idx for window in reversed(windows) for idx in window] == mine
    assert all(window == sorted(window) for window in windows)


def test_a_plan_no_longer_than_a_window_has_no_earlier_ones(parties):
    stages.submitted(parties)
    notes(parties, 2)
    rows, before = timeline_window("p1", None, 3)
    assert len(rows) == 3 and before is None
    assert timeline_window("p1", rows[0].idx, 3) == ([], None)
    assert timeline_window("no-such-plan") == ([], None)


def test_a_window_runs_one_query_however_long_the_plan(parties):
    stages.submitted(parties)
    notes(parties, TIMELINE_PAGE + 5)
    with CaptureQueriesContext(connection) as queries:
        rows, before = timeline_window("p1")
    assert len(queries) == 1 and len(rows) == TIMELINE_PAGE and before == rows[0].idx
