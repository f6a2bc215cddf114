"""Privacy: crew never in the log or public views (salted commitments only); movement windows hidden from
the public until the movement is over; other parties' private objects answer as if absent."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.ledger.models import LogEntry
from corridor.service.passages.crew import commit
from corridor.service.passages.models import CrewMember, Plan

from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000
CREW = {"leg-a": [{"name": "Driver One", "document": "P1234567"}]}


@pytest.fixture
def scheduled(parties):
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body(crew=CREW))[0] == 201
    version = Plan.objects.get(pk="p1").version
    for n, party in enumerate(["border", "customs", "recv", "escort"], 1):
        with clock.frozen_at(T + n * 60):
            assert parties[party].post("/plans/p1/consent", {"version": version})[0] == 201
    with clock.frozen_at(T + 600):
        slot = {"slot": "s1", "start": "2023-09-12T07:00:00Z", "end": "2023-09-12T09:00:00Z"}
        assert parties["org-a"].post("/plans/p1/propose-slot", slot)[0] == 201
    return parties


def test_the_log_holds_a_commitment_that_the_clear_values_open(scheduled):
    entries = b"".join(bytes(e.data) for e in LogEntry.objects.all())
    assert b"Driver One" not in entries and b"P1234567" not in entries
    member = CrewMember.objects.get()
    assert commit(member.name, member.document, member.salt)["commitment"] == member.commitment
    assert member.commitment.encode() in entries


def test_the_public_sees_no_crew_and_no_window_before_the_movement(scheduled, public):
    detail = public.get("/api/v1/plans/p1").json()
    assert detail["crew"] is None and detail["slot_start"] is None
    listed = public.get("/api/v1/plans").json()["results"][0]
    assert listed["slot_start"] is None and listed["slot_end"] is None
    assert "Driver One" not in public.get("/api/v1/export/plans.json").content.decode()


def test_the_parties_of_the_passage_see_crew_and_window_others_do_not(scheduled):
    mine = scheduled["border"].get("/plans/p1")[1]
    assert mine["crew"][0]["name"] == "Driver One" and mine["slot_start"] == "2023-09-12T07:00:00Z"
    other = scheduled["org-b"].get("/plans/p1")[1]
    assert other["crew"] is None and other["slot_start"] is None
