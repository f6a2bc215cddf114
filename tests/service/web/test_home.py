"""A party with no plan of its own (a mediator, an observer) finds on its home the plans waited on now across
the operation, longest wait first, with whom each waits on and since when: public fields, a bounded page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.web import summaries

from . import stages
from .test_pages import signed_in

pytestmark = pytest.mark.django_db


def two_waiting_plans(parties) -> None:
    stages.submitted(parties, plan="p-old", at=stages.T)
    stages.submitted(parties, plan="p-new", at=stages.T + 3600)
    version = stages.version(parties, "p-new")
    for party in stages.REQUIRED:  # every party but the receiving authority consents to p-new
        if party != "recv":
            stages.post(parties, party, "/plans/p-new/consent", {"version": version}, stages.T + 4000)


def test_the_mediators_home_lists_the_operations_waits_longest_first(parties):
    two_waiting_plans(parties)
    with clock.frozen_at(stages.T + 7200):
        page = signed_in("mediator", "viewer").get("/home").content.decode()
    assert "<h1>Mediators</h1>" in page
    section = page[page.index('id="operation"'):]
    assert section.index('href="/plans/p-old"') < section.index('href="/plans/p-new"')
    old = section[section.index("/plans/p-old"):section.index("/plans/p-new")]
    assert "Host state border service, since" in old and "Receiving authority (Khankendi), since" in old
    new = section[section.index("/plans/p-new"):]
    assert "Receiving authority (Khankendi), since" in new and "Host state border service" not in new
    assert "Humanitarian organisation A (carrier)" in old and "12:13 UTC+4" in old  # T (08:13Z) on Baku's clock
    assert "AB 123" not in page and "truck" not in section  # no private field of a plan it is not on


def test_a_party_with_plans_of_its_own_sees_its_own_waits_only(parties):
    two_waiting_plans(parties)
    with clock.frozen_at(stages.T + 7200):
        page = signed_in("border").get("/home").content.decode()
    assert 'id="operation"' not in page and 'href="/plans/p-old"' in page


def test_the_operations_waits_are_one_bounded_read(parties, monkeypatch):
    two_waiting_plans(parties)
    monkeypatch.setattr(summaries, "HOME_ROWS", 1)
    with CaptureQueriesContext(connection) as queries:
        plans, count = summaries.operation_waits()
    assert [plan["plan"] for plan in plans] == ["p-old"] and count == 2
    assert len(queries) == 2  # the page of clocks (with plans and parties joined), and the count
    assert all(" LIMIT " in query["sql"] for query in queries)
