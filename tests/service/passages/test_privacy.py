"""Privacy: crew never in the log or public views (salted commitments only); movement windows and plates
committed on the log until the requester reveals them once the plan is closed; other parties' private
objects answer as if absent. (The whole two-roads example: test_public_log_privacy.py.)"""

from __future__ import annotations

from unittest.mock import ANY

import pytest
from django.test import Client

from corridor.engine.times import parse_time
from corridor.ledger.commitments import crew_value, plate_value, verify_reveal, window_value
from corridor.service import clock
from corridor.service.ledger.models import LogEntry
from corridor.service.parties.operations import do_create_user
from corridor.service.passages.models import CrewMember, Plan, SlotWindow, VehiclePlate

from ..exports.audited import every_download
from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000
CREW = {"leg-a": [{"name": "Driver One", "document": "P1234567"}]}
ARRIVAL = {"leg": "leg-a", "checkpoint": "lachin-checkpoint"}
CLEARED = {**ARRIVAL, "findings": [], "decision": "cleared"}


@pytest.fixture
def scheduled(parties, tiles):
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
    assert verify_reveal(crew_value(member.name, member.document), member.salt, member.commitment)
    assert member.commitment.encode() in entries


def test_the_public_sees_no_crew_and_no_window_before_the_movement(scheduled, public):
    detail = public.get("/api/v1/plans/p1").json()
    assert detail["crew"] is None and detail["slot_start"] is None
    listed = public.get("/api/v1/plans").json()["results"][0]
    assert listed["slot_start"] is None and listed["slot_end"] is None
    downloads = every_download()
    assert "p1" in downloads and "Driver One" not in downloads and "2023-09-12T07:00:00Z" not in downloads


def test_the_parties_of_the_passage_see_crew_and_window_others_do_not(scheduled):
    mine = scheduled["border"].get("/plans/p1")[1]
    assert mine["crew"][0]["name"] == "Driver One" and mine["slot_start"] == "2023-09-12T07:00:00Z"
    other = scheduled["org-b"].get("/plans/p1")[1]
    assert other["crew"] is None and other["slot_start"] is None


def test_the_log_carries_commitments_for_window_and_plate_and_the_parties_see_them_in_clear(scheduled, public):
    entries = b"".join(bytes(e.data) for e in LogEntry.objects.all())
    assert b"AB 123" not in entries and b"2023-09-12T07:00:00Z" not in entries
    window = SlotWindow.objects.get()
    assert verify_reveal(window_value(window.start, window.end), window.salt, window.commitment)
    assert window.commitment.encode() in entries
    plate = VehiclePlate.objects.get()
    assert plate.plate == "AB 123" and verify_reveal(plate_value("AB 123"), plate.salt, plate.commitment)
    mine = scheduled["escort"].get("/plans/p1")[1]
    assert mine["window"]["start"] == "2023-09-12T07:00:00Z" and mine["window"]["revealed"] is False
    assert [p["plate"] for p in mine["plates"]] == ["AB 123"]
    detail = public.get("/api/v1/plans/p1").json()
    assert detail["window"] is None and detail["plates"] is None
    assert "AB 123" not in every_download()
    assert scheduled["org-b"].get("/plans/p1")[1]["plates"] is None


def test_crew_for_a_leg_the_plan_does_not_have_is_refused(parties):
    status, body = parties["org-a"].post("/plans", plan_body("p2", crew={"leg-z": []}))
    assert (status, body["code"]) == (422, "crew.invalid")


def test_amend_carries_crew_privately_too(scheduled):
    amended = plan_body(crew={"leg-a": [{"name": "Driver Two", "document": "P7654321"}]})
    amended.pop("plan")
    with clock.frozen_at(T + 700):
        assert scheduled["org-a"].post("/plans/p1/amend", amended)[0] == 201
    assert set(CrewMember.objects.values_list("name", flat=True)) == {"Driver One", "Driver Two"}
    entries = b"".join(bytes(e.data) for e in LogEntry.objects.all())
    assert b"Driver Two" not in entries and b"P7654321" not in entries


def test_go_before_the_private_window_opens_is_refused_by_the_service(scheduled):
    parties = scheduled
    with clock.frozen_at(T + 900):
        for party in ("border", "customs", "recv", "escort"):
            assert parties[party].post("/plans/p1/confirm-slot", {"slot": "s1"})[0] == 201
        assert parties["border"].post("/plans/p1/arrive", ARRIVAL)[0] == 201
        assert parties["customs"].post("/plans/p1/inspect", CLEARED)[0] == 201
    opens = parse_time("2023-09-12T07:00:00Z")
    with clock.frozen_at(opens - 900 - 60):  # the tolerance is 900 s
        status, body = parties["escort"].post("/plans/p1/go", {})
    assert (status, body["code"]) == (409, "state.wrong") and "2023-09-12T07:00:00Z" in body["message"]
    with clock.frozen_at(opens - 900):
        assert parties["escort"].post("/plans/p1/go", {})[0] == 201


def test_the_requester_reveals_on_completion_and_the_public_then_sees_window_plates_and_salts(scheduled, public):
    parties = scheduled
    assert parties["org-a"].post("/plans/p1/reveal", {})[1]["code"] == "reveal.early"
    assert parties["border"].post("/plans/p1/reveal", {}) == (422, {"code": "party.not_requester", "message": ANY})
    with clock.frozen_at(T + 900):
        for party in ("border", "customs", "recv", "escort"):
            assert parties[party].post("/plans/p1/confirm-slot", {"slot": "s1"})[0] == 201
    opens = parse_time("2023-09-12T07:00:00Z")
    with clock.frozen_at(opens + 3600):
        for party, path, body in [
            ("border", "arrive", ARRIVAL), ("customs", "inspect", CLEARED),
            ("escort", "go", {}), ("escort", "depart", {"leg": "leg-a"}),
            ("recv", "deliver", {"leg": "leg-a", "receipts": [{"line": "flour", "good": 20}]}),
        ]:
            assert parties[party].post(f"/plans/p1/{path}", body)[0] == 201, path
    last = LogEntry.objects.order_by("-idx").first()
    assert b'"type":"plan.reveal"' in bytes(last.data) and b'"party":"org-a"' in bytes(last.data)
    detail = public.get("/api/v1/plans/p1").json()
    window = detail["window"]
    assert (window["start"], window["end"]) == ("2023-09-12T07:00:00Z", "2023-09-12T09:00:00Z")
    assert verify_reveal(window_value(window["start"], window["end"]), window["salt"], window["commitment"])
    [plate] = detail["plates"]
    assert verify_reveal(plate_value(plate["plate"]), plate["salt"], plate["commitment"])
    assert detail["slot_start"] == "2023-09-12T07:00:00Z"
    # the requester waited from the window's start to the arrival: counted on reveal, as before
    waited = {row["party"]: row["waited_seconds"] for row in detail["waiting"]}
    assert waited["org-a"] >= 3600
    assert parties["org-a"].post("/plans/p1/reveal", {}) == (409, {"code": "reveal.done", "message": ANY})
    # another of its parties is refused as before anything was revealed, by the rule's first refusal
    assert parties["border"].post("/plans/p1/reveal", {})[1]["code"] == "party.not_requester"
    payload = {"window": {k: window[k] for k in ("slot", "start", "end", "salt")}}
    assert parties["org-a"].post("/plans/p1/reveal", payload)[0:1] == (409,)  # the engine's reveal.done


def test_a_statement_on_a_plan_revealed_already_reads_no_window_and_no_plate(scheduled):
    """Nothing is left to reveal: the follow-up run under the writer lock knows it from the fold, without the
    queries of the window and plates it made for each statement on the closed plan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    parties = scheduled
    with clock.frozen_at(T + 900):
        for party in ("border", "customs", "recv", "escort"):
            assert parties[party].post("/plans/p1/confirm-slot", {"slot": "s1"})[0] == 201
    with clock.frozen_at(parse_time("2023-09-12T07:00:00Z") + 3600):
        for party, path, body in [
            ("border", "arrive", ARRIVAL), ("customs", "inspect", CLEARED),
            ("escort", "go", {}), ("escort", "depart", {"leg": "leg-a"}),
            ("recv", "deliver", {"leg": "leg-a", "receipts": [{"line": "flour", "good": 20}]}),
        ]:
            assert parties[party].post(f"/plans/p1/{path}", body)[0] == 201, path
        assert _reveals() == 1
        with CaptureQueriesContext(connection) as queries:
            assert parties["recv"].post("/plans/p1/note", {"sha256": "ab" * 32, "title": "receipt"})[0] == 201
    private_tables = (SlotWindow._meta.db_table, VehiclePlate._meta.db_table)
    assert not [q["sql"] for q in queries if any(table in q["sql"] for table in private_tables)]
    assert _reveals() == 1


def signed_in(party: str) -> Client:
    do_create_user(f"{party}-web", party, "officer", password="a-long-test-password")
    client = Client()
    assert client.login(username=f"{party}-web", password="a-long-test-password")
    return client


def test_the_checkpoint_screen_shows_window_and_plates_to_the_plans_parties_only(scheduled):
    with clock.frozen_at(T + 900):
        for party in ("border", "customs", "recv", "escort"):
            assert scheduled[party].post("/plans/p1/confirm-slot", {"slot": "s1"})[0] == 201
    with clock.frozen_at(parse_time("2023-09-12T05:00:00Z")):  # the slot's day
        border = signed_in("border").get("/checkpoints/lachin-checkpoint").content.decode()
        other = signed_in("org-b").get("/checkpoints/lachin-checkpoint").content.decode()
    assert "AB 123" in border and "2023-09-12T07:00:00Z" in border
    assert "AB 123" not in other and "2023-09-12T07:00:00Z" not in other and 'href="/plans/p1"' not in other


def _reveals() -> int:
    return sum(b'"type":"plan.reveal"' in bytes(e.data) for e in LogEntry.objects.all())


def test_a_plan_cancelled_before_its_window_is_not_revealed_on_its_own(scheduled, public):
    """The same trucks may be asked for again at the same time: cancelling must not publish them."""
    parties = scheduled
    with clock.frozen_at(T + 700):  # the window (12 Sep 07:00-09:00) is still ahead
        assert parties["org-a"].post("/plans/p1/cancel", {"text": "postponed"})[0] == 201
    assert _reveals() == 0
    detail = public.get("/api/v1/plans/p1").json()
    assert detail["window"] is None and detail["plates"] is None
    with clock.frozen_at(T + 800):  # the requester may still decide to reveal
        assert parties["org-a"].post("/plans/p1/reveal", {})[0] == 201
    assert _reveals() == 1


def test_a_plan_cancelled_after_its_window_ended_is_revealed_on_its_own(scheduled):
    with clock.frozen_at(parse_time("2023-09-12T10:00:00Z")):
        assert scheduled["org-a"].post("/plans/p1/cancel", {"text": "too late"})[0] == 201
    assert _reveals() == 1
