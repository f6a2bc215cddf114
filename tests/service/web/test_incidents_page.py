"""The incidents page shows 50 claims at a time, newest first, each with its latest disputes: however many
claims and disputes the parties record, a reader's page costs the same. Its pages follow one another by
cursor (`?after=`, `?before=`: a claim's reported_at and id), read off the list's index, never an OFFSET."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.exports.tables import LATEST_DISPUTES
from corridor.service.web import views
from corridor.service.web.views import INCIDENTS_PAGE

from ..api.test_incidents import CLAIM, T
from ..api.test_paging import cursor

pytestmark = pytest.mark.django_db


def report(parties, count: int) -> None:
    for n in range(count):
        with clock.frozen_at(T + n):
            place = {"name": f"Place {n}", "lat": "39.8", "lon": "46.7"}
            claim = CLAIM | {"incident": f"claim-{n:03d}", "place": place}
            assert parties["border"].post("/incidents", claim)[0] == 201


def claims_on(page: str) -> list[str]:
    return re.findall(r'name="dispute" value="(claim-\d+)"', page) or re.findall(r"<bdi>Place (\d+)</bdi>", page)


def links_on(page: str) -> dict[str, str]:
    """The page's paging links by their words ("Newest claims", "Newer claims", "Older claims")."""
    return {words: href for href, words in re.findall(r'<a (?:rel="(?:prev|next)" )?href="(/incidents[^"]*)">'
                                                      r'(\w+ claims)</a>', page)}


def mapped_on(page: str) -> list[dict]:
    return json.loads(re.search(r'<script id="incidents-data" type="application/json">(.*?)</script>', page)[1])


def test_the_page_shows_fifty_claims_and_links_to_the_older(parties):
    report(parties, INCIDENTS_PAGE + 2)
    first = Client().get("/incidents").content.decode()
    assert claims_on(first) == [str(n) for n in range(INCIDENTS_PAGE + 1, 1, -1)]  # newest first
    assert list(links_on(first)) == ["Older claims"] and links_on(first)["Older claims"].startswith("/incidents?after=")
    mapped = mapped_on(first)
    assert len(mapped) == INCIDENTS_PAGE and mapped[0]["id"] == f"claim-{INCIDENTS_PAGE + 1:03d}"
    second = Client().get(links_on(first)["Older claims"]).content.decode()
    assert claims_on(second) == ["1", "0"] and [m["id"] for m in mapped_on(second)] == ["claim-001", "claim-000"]
    assert links_on(second)["Newest claims"] == "/incidents" and "Older claims" not in links_on(second)
    back = Client().get(links_on(second)["Newer claims"]).content.decode()
    assert claims_on(back) == claims_on(first) and list(links_on(back)) == ["Older claims"]  # the first page again


def walk(link: str, words: str) -> list[list[str]]:
    """Every page from `link` on, following the link named `words` until there is none."""
    pages = []
    while link:
        page = Client().get(link).content.decode()
        pages.append(claims_on(page))
        link = links_on(page).get(words)
    return pages


def test_walking_older_then_newer_visits_every_claim_once_in_order(parties, monkeypatch):
    """Claims reported in the same second (a tie on reported_at) are ordered by their id, and a page boundary
    between them loses or repeats none; walking back by "Newer claims" gives the same pages."""
    monkeypatch.setattr(views, "INCIDENTS_PAGE", 3)
    for n in range(11):
        with clock.frozen_at(T + n // 4):  # four claims a second: ties across every page boundary
            claim = CLAIM | {"incident": f"claim-{n:03d}", "place": {"name": f"Place {n}"}}
            assert parties["border"].post("/incidents", claim)[0] == 201
    newest_first = sorted(range(11), key=lambda n: (-(n // 4), n))  # reported_at descending, then id
    older = walk("/incidents", "Older claims")
    assert [len(page) for page in older] == [3, 3, 3, 2]
    assert [int(n) for page in older for n in page] == newest_first
    last = Client().get("/incidents").content.decode()
    for _ in range(3):
        last = Client().get(links_on(last)["Older claims"]).content.decode()
    assert walk(links_on(last)["Newer claims"], "Newer claims") == older[-2::-1]


@pytest.mark.parametrize("cursor", [
    "x", "not a cursor", "AAAA", "x" * 2000, "\x00", cursor(["2023-09-11T08:30:00+00:00"]),  # one value only
    cursor(["2023-09-11T08:30:00", "claim-000"]), cursor(["2023-09-11T08:30:00+00:00", 5]),  # no zone; not an id
    cursor(["0001-01-01T00:00:00+05:00", "claim-000"]),  # before year 1 at UTC: no column holds it
    cursor(["2023-09-11T08:30:00+00:00", "claim\x00"]),  # NUL: PostgreSQL's text cannot compare it
    cursor(["2023-09-11T08:30:00+00:00", "\ud800"]),  # a lone surrogate: valid JSON, no text a column holds
])
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_malformed_cursor_shows_the_first_page(parties, cursor, direction):
    report(parties, 1)
    answer = Client().get("/incidents", {direction: cursor})
    assert answer.status_code == 200 and claims_on(answer.content.decode()) == ["0"]
    assert links_on(answer.content.decode()) == {}


def test_a_page_before_the_newest_claim_is_the_first(parties):
    """A `before` cursor with no claim before it (newer than every claim: edited by hand) shows the first page,
    not an empty one saying no incident was reported."""
    report(parties, 1)
    answer = Client().get("/incidents", {"before": cursor(["2999-01-01T00:00:00+00:00", "claim-999"])})
    assert claims_on(answer.content.decode()) == ["0"] and links_on(answer.content.decode()) == {}


@pytest.mark.parametrize("page", ["2", "0", "-1", "x", "9" * 30, "２"])
def test_an_old_page_number_link_shows_the_first_page(parties, page):
    report(parties, 1)
    answer = Client().get("/incidents", {"page": page})
    assert answer.status_code == 200 and claims_on(answer.content.decode()) == ["0"]


@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_page_is_read_from_its_cursor_without_an_offset(parties, monkeypatch, direction):
    monkeypatch.setattr(views, "INCIDENTS_PAGE", 2)
    report(parties, 7)
    first = Client().get("/incidents").content.decode()
    middle = Client().get(links_on(first)["Older claims"]).content.decode()
    link = links_on(middle)["Older claims" if direction == "after" else "Newer claims"]
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(link).status_code == 200
    claims = [q["sql"] for q in queries.captured_queries if 'FROM "incident"' in q["sql"]]
    assert len(claims) == 1 and "LIMIT 3" in claims[0]  # the page and one more, from the cursor on
    assert not [q["sql"] for q in queries.captured_queries if "OFFSET" in q["sql"].upper()]


def test_a_claim_with_many_disputes_shows_the_latest_and_links_to_every_one(parties):
    report(parties, 1)
    for n in range(LATEST_DISPUTES + 3):
        with clock.frozen_at(T + 60 + n):
            assert parties["recv"].post("/incidents/claim-000/dispute", {"text": f"dispute {n}"})[0] == 201
    page = Client().get("/incidents").content.decode()
    assert f"The latest {LATEST_DISPUTES} of {LATEST_DISPUTES + 3} disputes." in page
    assert '<a href="/api/v1/incidents/claim-000/disputes">Every dispute (JSON)</a>' in page
    assert "dispute 2<" not in page and "dispute 3<" in page and "dispute 22<" in page
