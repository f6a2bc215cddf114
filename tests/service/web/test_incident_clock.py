"""The incident form's "Occurred" is typed on a crossing's clock (the operation's by default, or a chosen
checkpoint's, each shown with its zone and offset); the log keeps UTC as before."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.incidents.models import Incident
from corridor.service.web import zones

from .test_pages import signed_in
from .test_request_form import last_statement

pytestmark = pytest.mark.django_db
T = 1694420000  # 2023-09-11T08:13:20Z
REPORT = {"as": "border", "incident": "held-1", "category": "restricted_movement", "place": "Lachin gate",
          "occurred_from": "2023-09-11T12:00", "text": "Held four hours"}


def test_the_form_names_each_clock_with_its_zone_and_offset(parties):
    page = signed_in("border").get("/incidents").content.decode()
    assert "Occurred (time at the crossing chosen above)" in page and "Occurred (UTC)" not in page
    assert "<option value=\"\">The operation's clock — Asia/Baku (UTC+4)</option>" in page
    assert '<option value="lachin-checkpoint">Lachin border and customs checkpoint — Asia/Baku (UTC+4)</option>' in page


@pytest.mark.parametrize("crossing", ["", "lachin-checkpoint", "no-such-checkpoint"])
def test_occurred_typed_at_the_crossing_is_kept_in_utc(parties, crossing):
    with clock.frozen_at(T):
        signed_in("border").post("/incidents", REPORT | {"crossing": crossing})
    assert last_statement()["payload"]["occurred_from"] == "2023-09-11T08:00:00Z"  # 12:00 in Baku (UTC+4)
    assert Incident.objects.get(pk="held-1").occurred_from.isoformat() == "2023-09-11T08:00:00+00:00"


def test_a_crossing_in_another_zone_reads_on_its_own_clock(parties, monkeypatch):
    monkeypatch.setattr(zones, "checkpoint_zone", lambda checkpoint: "America/St_Johns" if checkpoint else "UTC")
    choices = {c["value"]: c for c in zones.crossings(T)}
    assert zones.crossing_zone("lachin-checkpoint") == "America/St_Johns"
    assert choices[""]["offset"] == "UTC+4" and zones.offset(zones.datetime(2023, 9, 11, tzinfo=zones.zone(
        "America/St_Johns"))) == "UTC-2:30"  # summer time, a half-hour zone
    with clock.frozen_at(T):
        signed_in("border").post("/incidents", REPORT | {"crossing": "lachin-checkpoint"})
    assert last_statement()["payload"]["occurred_from"] == "2023-09-11T14:30:00Z"


def test_an_occurred_time_not_understood_is_refused_and_nothing_is_signed(parties):
    with clock.frozen_at(T):
        page = signed_in("border").post("/incidents", REPORT | {"occurred_from": "noon"}, follow=True)
    assert "A date or time is not valid" in page.content.decode() and not Incident.objects.exists()
