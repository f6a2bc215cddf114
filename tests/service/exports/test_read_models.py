"""The read models agree with the log: the rows the API's lists build from the database (as the public sees
them) are the rows `corridor.figures` computes from the log's entries, in the same order, on the two-roads
example (with an attested import and a plan still waiting)."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.exports import published, tables
from corridor.service.guard import guarded
from corridor.service.ledger.record import current_fold, record_as

from ..api_driver import drive
from ..conftest import SCENARIO
from .audited import AFTER, FLOUR, attest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_roads(parties):
    drive(SCENARIO, parties)
    attest(FLOUR)
    with clock.frozen_at(AFTER + 60), guarded():  # one plan still open: someone is waited on at the log's clock
        record_as("org-b", "plan.submit", {"legs": [{"id": "leg-1", "route": "road-b", "lines": [
            {"id": "rice", "item": "Rice", "category": "food", "quantity": 5, "unit": "t", "weight_kg": 5000}]}]},
                  plan="open-1")
    with clock.frozen_at(AFTER + 3600), guarded():
        record_as("escort", "plan.consent", {"version": current_fold().state.plans["open-1"].version}, plan="open-1")


def test_every_list_row_is_the_log_derived_row(two_roads):
    from_log = published.log_tables()
    now = current_fold().state.clock
    from_database = {
        "plans": list(tables.plan_rows(tables.with_awaited(list(tables.plans_query())))),
        "legs": list(tables.leg_rows(tables.legs_query())),
        "lines": list(tables.line_rows(tables.lines_query())),
        # the API adds each claim's count of disputes to the published row (it lists the latest LATEST_DISPUTES)
        "incidents": [{k: v for k, v in row.items() if k != "dispute_count"}
                      for row in tables.incident_rows(tables.incidents_query())],
        "waiting": list(tables.waiting_rows(tables.waiting_query(), now=now)),
    }
    for name, rows in from_database.items():
        assert rows == from_log[name], name
    assert any(row["waiting_now"] for row in from_log["waiting"])
    assert {row["plan"] for row in from_log["plans"]} == {"two-roads", "truck-b", "open-1"}
