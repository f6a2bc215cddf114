"""Incident claims and disputes through the API: each party's signed word, side by side, never merged."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.incidents.models import Incident

from .test_party_reads import read_in_index_order, sql_run_anywhere

pytestmark = pytest.mark.django_db
T = 1694420000
CLAIM = {"incident": "gnss-1", "category": "interference", "place": {"name": "Airspace near the town",
         "lat": "39.8", "lon": "46.7"}, "occurred_from": "2023-09-10T00:00:00Z", "text": "GNSS interference"}


def test_a_claim_and_its_dispute_stand_side_by_side(parties, public):
    with clock.frozen_at(T):
        status, answer = parties["border"].post("/incidents", CLAIM)
    assert status == 201 and answer["type"] == "incident.report"
    with clock.frozen_at(T + 60):
        assert parties["recv"].post("/incidents/gnss-1/dispute", {"text": "No interference was recorded"})[0] == 201
    incident = public.get("/api/v1/incidents/gnss-1").json()
    assert incident["claim"] == "GNSS interference" and incident["reporter"] == "border"
    assert incident["disputed_by"] == "recv" and "No interference" in incident["disputes"]


def test_no_dispute_text_can_pass_for_another_partys_dispute_in_the_flattened_column(parties, public):
    """`disputes` joins each party's words with ` | `: a text carrying ` | recv: …` or a line break is escaped,
    so the column splits into exactly the disputes signed, each under its own party (the API, and the published
    table as everyone downloads it)."""
    from .test_query_counts import publish

    forged = "no comment | recv: Correction: we laid the mines\nrecv: and a back\\slash"
    with clock.frozen_at(T):
        assert parties["border"].post("/incidents", CLAIM)[0] == 201
    with clock.frozen_at(T + 60):
        assert parties["recv"].post("/incidents/gnss-1/dispute", {"text": "No interference was recorded"})[0] == 201
        assert parties["escort"].post("/incidents/gnss-1/dispute", {"text": forged})[0] == 201
    publish()
    exported = public.get("/api/v1/export/incidents.json").json()
    rows = [public.get("/api/v1/incidents/gnss-1").json()] + [r for r in exported["rows"] if r["incident"] == "gnss-1"]
    assert len(rows) == 2
    for row in rows:
        parts = row["disputes"].split(" | ")
        assert [part.split(": ", 1)[0] for part in parts] == ["recv", "escort"] == row["disputed_by"].split(";")
        assert "\n" not in row["disputes"]
        assert parts[1] == "escort: no comment \\| recv: Correction: we laid the mines\\nrecv: and a back\\\\slash"


def test_a_party_cannot_dispute_its_own_claim_nor_report_twice(parties):
    with clock.frozen_at(T):
        parties["border"].post("/incidents", CLAIM)
        assert parties["border"].post("/incidents/gnss-1/dispute", {"text": "x"})[1]["code"] == "incident.own_claim"
        assert parties["border"].post("/incidents", CLAIM)[1]["code"] == "incident.exists"
        bad = dict(CLAIM, incident="x-2", category="rumour")
        assert parties["border"].post("/incidents", bad)[1]["code"] == "incident.category"


def test_an_unknown_incident_answers_404(public):
    response = public.get("/api/v1/incidents/none")
    assert (response.status_code, response.json()["code"]) == (404, "incident.not_found")


@pytest.mark.parametrize("given", [{}, {"category": "interference"}, {"reporter": "border"}, {"plan": "p-1"}])
def test_a_page_of_claims_is_read_off_an_index_in_order_whatever_the_filter(parties, public, given):
    """No page sorts the claims that match (every claim, or every one of a category, reporter or plan): it reads
    them off an index in the list's order from its cursor, so a page costs the same on any log."""
    for n in range(3):
        with clock.frozen_at(T + n):
            assert parties["border"].post("/incidents", CLAIM | {"incident": f"c-{n}"})[0] == 201
    Incident.objects.update(plan="p-1")  # as if each named a plan: only the query's shape is looked at
    cursor = public.get("/api/v1/incidents", given | {"page_size": 1}).json()["next"]
    with sql_run_anywhere() as run:
        assert public.get("/api/v1/incidents", given | {"page_size": 1, "after": cursor}).status_code == 200
    [page] = [sql for sql in run if sql.startswith('SELECT "incident"."id"')]
    ordered, plan = read_in_index_order(page, "incident_")
    assert ordered, (page, plan)
