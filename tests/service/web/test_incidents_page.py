"""The incidents page shows 50 claims at a time, newest first, each with its latest disputes: however many
claims and disputes the parties record, a reader's page costs the same."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from corridor.service import clock
from corridor.service.exports.tables import LATEST_DISPUTES
from corridor.service.web.views import INCIDENTS_PAGE

from ..api.test_incidents import CLAIM, T

pytestmark = pytest.mark.django_db


def report(parties, count: int) -> None:
    for n in range(count):
        with clock.frozen_at(T + n):
            place = {"name": f"Place {n}", "lat": "39.8", "lon": "46.7"}
            claim = CLAIM | {"incident": f"claim-{n:03d}", "place": place}
            assert parties["border"].post("/incidents", claim)[0] == 201


def claims_on(page: str) -> list[str]:
    return re.findall(r'name="dispute" value="(claim-\d+)"', page) or re.findall(r"<bdi>Place (\d+)</bdi>", page)


def test_the_page_shows_fifty_claims_and_links_to_the_older(parties):
    report(parties, INCIDENTS_PAGE + 2)
    first = Client().get("/incidents").content.decode()
    assert claims_on(first) == [str(n) for n in range(INCIDENTS_PAGE + 1, 1, -1)]  # newest first
    assert '<a href="?page=2">Older claims</a>' in first and "Newer claims" not in first
    mapped = json.loads(re.search(r'<script id="incidents-data" type="application/json">(.*?)</script>', first)[1])
    assert len(mapped) == INCIDENTS_PAGE and mapped[0]["id"] == f"claim-{INCIDENTS_PAGE + 1:03d}"
    second = Client().get("/incidents", {"page": 2}).content.decode()
    assert claims_on(second) == ["1", "0"] and '<a href="?page=1">Newer claims</a>' in second
    assert "Older claims" not in second


@pytest.mark.parametrize("page", ["0", "-1", "x", "9" * 30, "２"])
def test_a_page_that_is_no_page_number_shows_the_first(parties, page):
    report(parties, 1)
    answer = Client().get("/incidents", {"page": page})
    assert answer.status_code == 200 and claims_on(answer.content.decode()) == ["0"]


def test_a_claim_with_many_disputes_shows_the_latest_and_links_to_every_one(parties):
    report(parties, 1)
    for n in range(LATEST_DISPUTES + 3):
        with clock.frozen_at(T + 60 + n):
            assert parties["recv"].post("/incidents/claim-000/dispute", {"text": f"dispute {n}"})[0] == 201
    page = Client().get("/incidents").content.decode()
    assert f"The latest {LATEST_DISPUTES} of {LATEST_DISPUTES + 3} disputes." in page
    assert '<a href="/api/v1/incidents/claim-000/disputes">Every dispute (JSON)</a>' in page
    assert "dispute 2<" not in page and "dispute 3<" in page and "dispute 22<" in page
