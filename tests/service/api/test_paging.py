"""Legs and lines are paged plan by plan (api/reads.by_plan), never by sorting every row: every page holds
exactly the rows the whole sorted list has there, across the batches the plans are read in."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.service import clock
from corridor.service.exports import tables

from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694421000


@pytest.mark.parametrize(("path", "query", "rows"), [
    ("/api/v1/legs", tables.legs_query, tables.leg_rows),
    ("/api/v1/lines", tables.lines_query, tables.line_rows),
])
def test_every_page_is_the_slice_of_the_sorted_list(parties, path, query, rows):
    for n in range(9):
        legs = [{**plan_body()["legs"][0], "id": f"leg-{k}"} for k in range(1 + n % 3)]  # 1 to 3 legs a plan
        with clock.frozen_at(T + (n % 4) * 60):  # several plans submitted at the same second
            assert parties["org-a"].post("/plans", plan_body(f"plan-{n}", legs=legs))[0] == 201
    everything = list(rows(query()))
    assert len(everything) == 18
    for size in (1, 2, 4, 7):
        pages = [Client().get(path, {"page": page, "page_size": size}).json()
                 for page in range(1, len(everything) // size + 3)]
        assert [row for page in pages for row in page["results"]] == everything
        assert {page["count"] for page in pages if page["results"]} == {len(everything)}
