"""A requester that signs its own statements commits its plates and window itself, so the service cannot
issue permits for its legs until it hands in the openings (POST /plans/{plan}/openings): checked against the
log, kept privately, and the permits issued at once."""

from __future__ import annotations

import pytest

from corridor.engine.times import parse_time
from corridor.ledger.commitments import commit, plate_value, window_value
from corridor.permits.qr import to_text
from corridor.permits.trust import parse_permit_keys
from corridor.permits.verify import verify_permit
from corridor.service.ledger.keys import trust_text
from corridor.service.ledger.models import LogEntry
from corridor.service.passages.models import SlotWindow, VehiclePlate
from corridor.service.permits.models import IssuedPermit

from ..plans import plan_body
from ..signing import own_key, self_signed
from ..web.stages import REQUIRED, T, consented, post
from .test_issuing import statements

pytestmark = pytest.mark.django_db
NOON_THIRTY = 1694435400  # inside the 12:00-13:00 slot
START, END = "2023-09-11T12:00:00Z", "2023-09-11T13:00:00Z"
PLATE_SALT, PLATE = commit(plate_value("AB 123"))
WINDOW_SALT, WINDOW = commit(window_value(START, END))
OPENINGS = {"plates": [{"leg": "leg-a", "vehicle": "truck-1", "plate": "AB 123", "salt": PLATE_SALT}],
            "window": {"slot": "s1", "start": START, "end": END, "salt": WINDOW_SALT}}


@pytest.fixture
def cleared(parties, tiles):
    """org-a signs its plan and slot itself, with its own commitments; the others consent and confirm."""
    key = own_key("org-a", T - 100)
    content = plan_body()
    del content["plan"]
    content["legs"][0]["vehicles"][0]["plate"] = PLATE
    assert self_signed(parties["org-a"], key, "plan.submit", content, T, plan="p1")[0] == 201
    consented(parties)
    assert self_signed(parties["org-a"], key, "slot.propose", {"slot": "s1", "window": WINDOW}, T + 1800,
                       plan="p1")[0] == 201
    for party in REQUIRED:
        post(parties, party, "/plans/p1/confirm-slot", {"slot": "s1"}, T + 2400)
    return parties


def opened(parties, body, party="org-a"):
    from corridor.service import clock

    with clock.frozen_at(T + 2500):
        return parties[party].post("/plans/p1/openings", body)


def test_the_openings_bring_the_permits_that_verify_with_the_plate_and_window(cleared):
    assert not IssuedPermit.objects.exists() and not statements("permit.issue")  # the service holds no clear values
    status, answer = opened(cleared, OPENINGS)
    assert status == 200, answer
    assert answer["plates"] == [{"leg": "leg-a", "vehicle": "truck-1", "plate": "AB 123"}]
    assert answer["window"] == {"slot": "s1", "start": START, "end": END}
    [issued] = answer["permits"]
    row = IssuedPermit.objects.get()
    assert (issued["permit"], issued["index"]) == (row.permit_id, row.log_index) == ("leg-a.truck-1.1", row.log_index)
    [statement] = statements("permit.issue")
    assert statement["party"] == "operator" and statement["payload"]["digest"] == row.digest
    log = b"".join(bytes(e.data) for e in LogEntry.objects.all())
    assert b"AB 123" not in log and START.encode() not in log and PLATE_SALT.encode() not in log
    permit = verify_permit(to_text(bytes(row.signed)), parse_permit_keys(trust_text()), NOON_THIRTY,
                           checkpoint="lachin-checkpoint").permit
    assert (permit.plate, permit.start, permit.end) == ("AB 123", parse_time(START, "s"), parse_time(END, "e"))
    mine = cleared["border"].get("/plans/p1")[1]  # the plan's parties see them before the reveal
    assert [p["plate"] for p in mine["plates"]] == ["AB 123"] and mine["window"]["start"] == START
    assert cleared["border"].get("/plans/p1/permits")[1]["results"][0]["digest"] == row.digest


def test_the_same_openings_again_change_nothing(cleared):
    assert opened(cleared, OPENINGS)[0] == 200
    size = LogEntry.objects.count()
    status, answer = opened(cleared, OPENINGS)
    assert status == 200 and answer["permits"] == [] and answer["plates"][0]["plate"] == "AB 123"
    assert (LogEntry.objects.count(), IssuedPermit.objects.count()) == (size, 1)
    assert (VehiclePlate.objects.count(), SlotWindow.objects.count()) == (1, 1)


@pytest.mark.parametrize("body", [
    {**OPENINGS, "plates": [{**OPENINGS["plates"][0], "salt": "00" * 16}]},
    {**OPENINGS, "plates": [{**OPENINGS["plates"][0], "plate": "AB 124"}]},
    {**OPENINGS, "window": {**OPENINGS["window"], "salt": WINDOW_SALT[:-2] + "00"}},
    {**OPENINGS, "window": {**OPENINGS["window"], "end": "2023-09-11T14:00:00Z"}},
    {**OPENINGS, "window": {**OPENINGS["window"], "slot": "s2"}},
    {**OPENINGS, "plates": [{**OPENINGS["plates"][0], "vehicle": "truck-9"}]},
])
def test_an_opening_that_does_not_open_the_log_refuses_the_whole_request(cleared, body):
    size = LogEntry.objects.count()
    status, answer = opened(cleared, body)
    assert (status, answer["code"]) == (422, "opening.mismatch")
    assert not VehiclePlate.objects.exists() and not SlotWindow.objects.exists()
    assert LogEntry.objects.count() == size and not IssuedPermit.objects.exists()


@pytest.mark.parametrize("body", [{}, {"plates": []}, {"plates": [{"leg": "leg-a"}]}, {"window": "x"},
                                  {**OPENINGS, "crew": {}}, {"window": {**OPENINGS["window"], "start": "noon"}}])
def test_a_malformed_opening_is_refused(cleared, body):
    status, answer = opened(cleared, body)
    assert status == 422 and answer["code"] in ("opening.invalid", "time.invalid")
    assert not VehiclePlate.objects.exists() and not SlotWindow.objects.exists()


def test_only_the_requester_hands_in_openings(cleared):
    assert opened(cleared, OPENINGS, "border")[1]["code"] == "party.not_requester"
    assert opened(cleared, OPENINGS, "border")[0] == 403
    status, answer = opened(cleared, OPENINGS, "org-b")  # not a party of the plan: it does not exist for them
    assert (status, answer["code"]) == (404, "plan.not_found")
    assert not VehiclePlate.objects.exists() and not IssuedPermit.objects.exists()


def test_openings_before_the_slot_is_confirmed_are_kept_and_the_permit_follows_the_confirmation(parties, tiles):
    key = own_key("org-a", T - 100)
    content = plan_body()
    del content["plan"]
    content["legs"][0]["vehicles"][0]["plate"] = PLATE
    assert self_signed(parties["org-a"], key, "plan.submit", content, T, plan="p1")[0] == 201
    consented(parties)
    assert self_signed(parties["org-a"], key, "slot.propose", {"slot": "s1", "window": WINDOW}, T + 1800,
                       plan="p1")[0] == 201
    status, answer = opened(parties, OPENINGS)
    assert status == 200 and answer["permits"] == []
    for party in REQUIRED:
        post(parties, party, "/plans/p1/confirm-slot", {"slot": "s1"}, T + 2600)
    assert IssuedPermit.objects.get().permit_id == "leg-a.truck-1.1"


def test_a_plate_opened_with_a_nul_is_refused_before_anything_is_kept(cleared):
    """A plate is kept privately and revealed on the log later, which refuses the NUL character (and
    PostgreSQL's text cannot hold it): refused here, whatever a self-signing party committed to."""
    salt, _ = commit(plate_value("AB\x00123"))
    body = {"plates": [{"leg": "leg-a", "vehicle": "truck-1", "plate": "AB\x00123", "salt": salt}]}
    status, answer = opened(cleared, body)
    assert (status, answer["code"]) == (422, "value.nul")
    assert not VehiclePlate.objects.exists()
