"""The plans list (/plans): every plan for the public with public fields only, a party's own plans with
its private fields, search and filters, keyset pages, and a query count that does not grow with the page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.web import plan_list

from ..api_driver import drive
from ..conftest import SCENARIO
from ..plans import plan_body
from .test_pages import signed_in

pytestmark = pytest.mark.django_db
T = 1694420000  # 2023-09-11T08:13:20Z
DAY = 86400


def plan_ids(page: str) -> list[str]:
    """The plans listed, in order."""
    return re.findall(r'<th scope="row"><a href="/plans/([^"]+)">', page)


def submit(parties, plan: str, at: int, **overrides) -> None:
    with clock.frozen_at(at):
        status, body = parties["org-a"].post("/plans", plan_body(plan, **overrides))
    assert status == 201, body


def scheduled(parties, plan: str, at: int) -> None:
    """A road-A plan every party consented to, with a slot proposed (its window private to the parties)."""
    submit(parties, plan, at)
    with clock.frozen_at(at + 60):
        version = parties["org-a"].get(f"/plans/{plan}")[1]["version"]
        for party in ("border", "customs", "recv", "escort"):
            assert parties[party].post(f"/plans/{plan}/consent", {"version": version})[0] == 201
        status, body = parties["org-a"].post(f"/plans/{plan}/propose-slot", {
            "slot": "s1", "start": "2023-09-20T07:00:00Z", "end": "2023-09-20T09:00:00Z"})
    assert status == 201, body


def test_the_public_sees_every_plan_newest_first_with_public_fields_only(parties):
    drive(SCENARIO, parties)
    scheduled(parties, "open-1", T + 10 * DAY)
    page = Client().get("/plans").content.decode()
    assert plan_ids(page) == ["open-1", "truck-b", "two-roads"]
    assert "Lachin–Khankendi" in page and "Aghdam–Khankendi" in page  # routes by name
    assert "Humanitarian organisation A (carrier)" in page  # the requester by name, not its id
    assert "2023-09-20T07:00:00Z" not in page  # open-1's window: private until the passage is over
    assert "2023-09-18T07:00:00Z" in page  # two-roads is completed and revealed: its window is public
    assert "My party" not in page.split("<main", 1)[1]  # no private column


def test_a_party_sees_its_own_plans_with_the_window_and_its_stance(parties):
    drive(SCENARIO, parties)
    scheduled(parties, "open-1", T + 10 * DAY)
    submit(parties, "b-only", T + 11 * DAY, legs=[{**plan_body()["legs"][0], "route": "road-b"}])
    customs = signed_in("customs").get("/plans").content.decode()
    assert plan_ids(customs) == ["open-1", "two-roads"]  # customs is not asked about road B
    assert "2023-09-20T07:00:00Z" in customs  # the window of its own plan, not yet public
    assert "Host state customs service: consented" in customs
    everyone = signed_in("customs").get("/plans", {"scope": "all"}).content.decode()
    assert plan_ids(everyone) == ["b-only", "open-1", "truck-b", "two-roads"]


def test_a_plan_the_party_is_not_in_shows_no_private_field(parties):
    scheduled(parties, "open-1", T)
    org_b = signed_in("org-b")
    assert plan_ids(org_b.get("/plans").content.decode()) == []
    everyone = org_b.get("/plans", {"scope": "all"}).content.decode()
    assert plan_ids(everyone) == ["open-1"] and "2023-09-20T07:00:00Z" not in everyone


def test_filters_status_route_party_requester_waiting_and_dates(parties):
    drive(SCENARIO, parties)
    scheduled(parties, "open-1", T + 10 * DAY)
    submit(parties, "asked-1", T + 11 * DAY)

    def listed(**filters) -> list[str]:
        return plan_ids(Client().get("/plans", filters).content.decode())

    assert listed(status="completed") == ["truck-b", "two-roads"]
    assert listed(status="submitted") == ["asked-1"]
    assert listed(status="cleared") == ["open-1"]
    assert listed(route="road-b") == ["truck-b", "two-roads"]
    assert listed(requester="org-b") == ["truck-b"]
    assert listed(party="customs") == ["asked-1", "open-1", "two-roads"]
    assert listed(waiting_on="customs") == ["asked-1", "open-1"]  # asked to consent; to confirm the slot
    assert listed(waiting_on="org-b") == []
    assert listed(waiting_on="recv") == ["asked-1", "open-1"]  # asked to consent; asked to confirm the slot
    assert listed(submitted_from="2023-09-12", submitted_to="2023-09-12") == ["truck-b"]
    assert listed(submitted_from="2023-09-21") == ["asked-1", "open-1"]
    assert listed(q="two") == ["two-roads"]
    assert listed(status="completed", route="road-a") == ["two-roads"]
    page = Client().get("/plans", {"status": "completed", "route": "road-a"}).content.decode()
    assert '<option value="completed" selected>' in page and '<option value="road-a" selected>' in page


def test_an_unknown_filter_value_is_said_and_not_applied(parties):
    drive(SCENARIO, parties)
    page = Client().get("/plans", {"status": "nonsense", "submitted_from": "yesterday"}).content.decode()
    assert plan_ids(page) == ["truck-b", "two-roads"]
    assert "Some filters were not understood" in page


def test_pages_follow_each_other_by_keyset_forward_and_back(parties, monkeypatch):
    monkeypatch.setattr(plan_list, "PAGE_SIZE", 2)
    for n in range(5):
        submit(parties, f"p{n}", T + n * 60)
    client = Client()
    first = client.get("/plans").content.decode()
    assert plan_ids(first) == ["p4", "p3"] and 'rel="prev"' not in first
    older = _link(first, "next")
    second = client.get(older).content.decode()
    assert plan_ids(second) == ["p2", "p1"]
    third = client.get(_link(second, "next")).content.decode()
    assert plan_ids(third) == ["p0"] and 'rel="next"' not in third
    back = client.get(_link(third, "prev")).content.decode()
    assert plan_ids(back) == ["p2", "p1"]
    assert plan_ids(client.get(_link(back, "prev")).content.decode()) == ["p4", "p3"]


def test_plans_submitted_at_the_same_moment_are_neither_skipped_nor_repeated(parties, monkeypatch):
    monkeypatch.setattr(plan_list, "PAGE_SIZE", 2)
    for n in range(5):
        submit(parties, f"same-{n}", T)
    client, seen = Client(), []
    page = client.get("/plans").content.decode()
    while True:
        seen += plan_ids(page)
        if 'rel="next"' not in page:
            break
        page = client.get(_link(page, "next")).content.decode()
    assert seen == [f"same-{n}" for n in range(5)]


def test_a_malformed_cursor_is_the_first_page(parties):
    submit(parties, "p1", T)
    assert plan_ids(Client().get("/plans", {"after": "not-a-cursor"}).content.decode()) == ["p1"]


def test_a_nul_in_the_search_or_a_cursor_finds_nothing_or_the_first_page(parties):
    """No plan id holds a NUL, and PostgreSQL's text cannot be compared with one (was a 500 there)."""
    submit(parties, "p1", T)
    client = Client()
    response = client.get("/plans", {"q": "p\x00"})
    assert response.status_code == 200 and plan_ids(response.content.decode()) == []
    response = client.get("/plans", {"after": "2023-09-11T08:13:20+00:00~p\x00"})
    assert response.status_code == 200 and plan_ids(response.content.decode()) == ["p1"]



@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59",  # no UTC time
                                    "2023-09-11T08:13:20+16:00", "2023-09-11T08:13:20+00:00:30.5"])  # PostgreSQL's
def test_a_cursors_time_out_of_range_in_utc_or_of_an_odd_offset_is_no_server_error(parties, moment):
    """A time with no UTC equivalent in years 1-9999 is no cursor (the first page); an offset PostgreSQL does not
    take is read in UTC (both were 500s)."""
    submit(parties, "p1", T)
    for side in ("after", "before"):
        assert Client().get("/plans", {side: f"{moment}~p0"}).status_code == 200, side

def test_filters_stay_on_the_next_page(parties, monkeypatch):
    monkeypatch.setattr(plan_list, "PAGE_SIZE", 1)
    submit(parties, "a1", T)
    submit(parties, "a2", T + 60)
    page = Client().get("/plans", {"status": "submitted", "route": "road-a"}).content.decode()
    link = _link(page, "next")
    assert "status=submitted" in link and "route=road-a" in link


def test_the_query_count_does_not_grow_with_the_page(parties):
    def queries(client: Client, **filters) -> int:
        client.get("/plans", filters)  # a request first empties the query log (request_started)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/plans", filters).status_code == 200
        return len(captured)

    scheduled(parties, "s0", T)
    border = signed_in("border")
    few = (queries(Client()), queries(border), queries(border, party="customs", waiting_on="org-a"))
    for n in range(1, 12):
        scheduled(parties, f"s{n}", T + n * 600)
    many = (queries(Client()), queries(border), queries(border, party="customs", waiting_on="org-a"))
    assert many == few
    assert max(many) <= 14


def _link(page: str, rel: str) -> str:
    return re.search(rf'rel="{rel}" href="([^"]+)"', page).group(1).replace("&amp;", "&")


@pytest.mark.parametrize("few", [5000, 0], ids=["positions-as-a-set", "plan-by-plan"])
def test_a_partys_plans_are_the_same_read_either_way(parties, monkeypatch, few):
    """A party asked about (or waited on for) few plans has them read as a set of ids, one asked about many
    plan by plan (OFFSET 0 keeps PostgreSQL from hashing them all): the same plans either way."""
    monkeypatch.setattr(plan_list, "FEW_ROWS", few)
    drive(SCENARIO, parties)
    submit(parties, "b-only", T + 11 * DAY, legs=[{**plan_body()["legs"][0], "route": "road-b"}])
    assert plan_ids(signed_in("customs").get("/plans").content.decode()) == ["two-roads"]
    assert plan_ids(signed_in("org-a").get("/plans").content.decode()) == ["b-only", "two-roads"]
    assert plan_ids(Client().get("/plans", {"party": "border"}).content.decode()) == ["b-only", "truck-b",
                                                                                      "two-roads"]
    assert plan_ids(Client().get("/plans", {"waiting_on": "recv"}).content.decode()) == ["b-only"]


def test_tonnes_are_written_with_the_readers_separators(parties):
    drive(SCENARIO, parties)
    client = Client()
    english = client.get("/plans").content.decode()
    client.cookies["django_language"] = "ar"
    arabic = client.get("/plans").content.decode()
    [tonnes] = re.findall(r'<td class="num">(\d+\.\d+)</td>', english)[:1]
    assert f'<td class="num">{tonnes.replace(".", ",")}</td>' in arabic  # "40,3" as on the public page, not "40.3"
