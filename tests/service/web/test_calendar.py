"""The iCalendar feed of a party's confirmed slots: a private address per user (shown once, its secret never
the session), revocable; the windows only to the plan's parties; a flat number of queries."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from icalendar import Calendar

from corridor.service import clock
from corridor.service.parties.operations import do_create_user
from corridor.service.web.calendar import FEED_LIMIT  # noqa: F401 -- the bound the feed keeps

from . import stages

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def signed_in(username: str, party: str, role: str = "officer") -> Client:
    do_create_user(username, party, role, password=PASSWORD)
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def make_address(client: Client) -> str:
    page = client.post("/account/calendar")
    assert page.status_code == 200
    return re.search(r'value="(http[^"]+\.ics)"', page.content.decode()).group(1)


def fetch(address: str):
    return Client().get(address.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))


def events(response) -> list:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return [c for c in Calendar.from_ical(response.content).walk() if c.name == "VEVENT"]


def test_the_account_page_offers_the_address_and_it_is_shown_once(parties):
    client = signed_in("border-officer", "border")
    page = client.get("/account").content.decode()
    assert "Calendar of confirmed slots" in page and "Make a calendar address" in page
    address = make_address(client)
    assert address.startswith("http://127.0.0.1:8000/calendar/")
    again = client.get("/account").content.decode()
    assert address not in again and "You have a calendar address" in again


def test_a_confirmed_slot_is_an_event_with_its_window_route_and_page(parties):
    stages.submitted(parties)
    stages.consented(parties)
    stages.scheduled(parties)
    address = make_address(signed_in("border-officer", "border"))
    with clock.frozen_at(stages.T + 3000):
        [event] = events(fetch(address))
    assert event["dtstart"].dt.isoformat() == "2023-09-11T12:00:00+00:00"
    assert event["dtend"].dt.isoformat() == "2023-09-11T13:00:00+00:00"
    assert "p1" in str(event["summary"]) and "Lachin" in str(event["summary"])
    assert "Lachin border and customs checkpoint" in str(event["location"])
    assert str(event["url"]).endswith("/plans/p1") and str(event["status"]) == "CONFIRMED"


def test_a_proposed_slot_not_yet_confirmed_is_not_in_the_feed(parties):
    stages.submitted(parties)
    stages.consented(parties)
    stages.slot_proposed(parties)
    assert events(fetch(make_address(signed_in("border-officer", "border")))) == []


def test_other_parties_and_observers_see_no_window(parties):
    stages.submitted(parties)
    stages.consented(parties)
    stages.scheduled(parties)
    assert events(fetch(make_address(signed_in("org-b-officer", "org-b")))) == []
    assert events(fetch(make_address(signed_in("mediator-viewer", "mediator", "viewer")))) == []


def test_the_feed_is_in_the_language_it_was_made_in(parties):
    stages.submitted(parties)
    stages.consented(parties)
    stages.scheduled(parties)
    client = signed_in("border-officer", "border")
    client.cookies["django_language"] = "fr"
    [event] = events(fetch(make_address(client)))
    assert "Passage p1" in str(event["summary"]) and "Statut" in str(event["description"])


def test_a_new_address_ends_the_old_and_revoking_ends_it(parties):
    client = signed_in("border-officer", "border")
    old = make_address(client)
    new = make_address(client)
    assert fetch(old).status_code == 404 and fetch(new).status_code == 200
    assert client.post("/account/calendar/revoke").status_code == 302
    assert fetch(new).status_code == 404
    assert Client().get("/calendar/not-a-secret.ics").status_code == 404


def test_making_an_address_needs_a_signed_in_post(parties):
    assert Client().post("/account/calendar").status_code == 302  # to sign in
    assert signed_in("border-officer", "border").get("/account/calendar").status_code == 405


def test_the_feed_reads_in_a_flat_number_of_queries(parties, django_assert_max_num_queries):
    from corridor.service.demo import seed_history

    from ..conftest import SCENARIO

    seed_history(SCENARIO, now=1795000000)
    address = make_address(signed_in("org-a-officer", "org-a"))
    with django_assert_max_num_queries(7):
        found = events(fetch(address))
    assert [str(e["uid"]).split("@")[0] for e in found] == ["two-roads.s1"]  # revealed when it closed
