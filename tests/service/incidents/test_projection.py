"""A dispute adds its row to the claim's (incidents/projection.py): the tables match what a rebuild writes from
the fold, and a dispute's write costs the same however many came before it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.exports.tables import LATEST_DISPUTES
from corridor.service.incidents.models import Dispute, Incident
from corridor.service.incidents.projection import write_incident
from corridor.service.ledger.record import current_fold

from ..api.test_incidents import CLAIM, T

pytestmark = pytest.mark.django_db


def dispute(parties, party: str, n: int) -> None:
    with clock.frozen_at(T + 60 + n):
        assert parties[party].post("/incidents/gnss-1/dispute", {"text": f"dispute {n}"})[0] == 201


def tables() -> list[tuple]:
    claims = list(Incident.objects.order_by("id").values_list())
    return claims + [row[1:] for row in Dispute.objects.order_by("id").values_list()]


def test_the_disputes_recorded_one_by_one_are_what_the_fold_holds(parties):
    with clock.frozen_at(T):
        assert parties["border"].post("/incidents", CLAIM)[0] == 201
    for n, party in enumerate(("recv", "customs", "recv", "escort")):
        dispute(parties, party, n)
    recorded = tables()
    Dispute.objects.all().delete()
    write_incident(current_fold(), "gnss-1")  # as `corridor rebuild` writes it
    assert tables() == recorded and [row[-2] for row in recorded[1:]] == [f"dispute {n}" for n in range(4)]


def test_a_dispute_writes_as_much_after_many_others(parties):
    with clock.frozen_at(T):
        assert parties["border"].post("/incidents", CLAIM)[0] == 201
    counts = []
    for n in range(30):
        with CaptureQueriesContext(connection) as queries:
            dispute(parties, "recv", n)
        counts.append(sum("incident_dispute" in q["sql"] for q in queries.captured_queries))
    assert counts[-1] == counts[1] == 1 and Dispute.objects.count() == 30


def test_a_claim_shows_its_latest_disputes_and_counts_them_all(parties, public):
    with clock.frozen_at(T):
        assert parties["border"].post("/incidents", CLAIM)[0] == 201
    for n in range(LATEST_DISPUTES + 5):
        dispute(parties, ("recv", "customs")[n % 2], n)
    claim = public.get("/api/v1/incidents/gnss-1").json()
    assert claim["dispute_count"] == LATEST_DISPUTES + 5
    shown = claim["disputes"].split(" | ")
    assert len(shown) == LATEST_DISPUTES and shown[0].endswith(": dispute 5") and shown[-1].endswith(": dispute 24")
    assert public.get("/api/v1/incidents").json()["results"][0] == claim
    every = [public.get("/api/v1/incidents/gnss-1/disputes", {"page": page, "page_size": 10}).json()
             for page in (1, 2, 3)]
    assert [d["text"] for page in every for d in page["results"]] == [f"dispute {n}" for n in range(25)]
    assert every[0]["count"] == 25 and every[0]["results"][1] == {
        "party": "customs", "text": "dispute 1", "at": "2023-09-11T08:14:21Z"}


def test_an_unknown_claim_has_no_disputes(public):
    answer = public.get("/api/v1/incidents/none/disputes")
    assert (answer.status_code, answer.json()["code"]) == (404, "incident.not_found")


def test_the_migration_counts_the_disputes_of_claims_already_recorded(parties):
    from importlib import import_module

    from django.apps import apps

    with clock.frozen_at(T):
        assert parties["border"].post("/incidents", CLAIM)[0] == 201
    for n in range(3):
        dispute(parties, "recv", n)
    Incident.objects.update(dispute_count=0)  # as a claim recorded before the count was kept
    import_module("corridor.service.incidents.migrations.0002_incident_dispute_count").count_disputes(apps, None)
    assert Incident.objects.get().dispute_count == 3


def test_claims_with_few_and_with_many_disputes_each_show_their_latest(parties, public):
    with clock.frozen_at(T):
        for incident in ("few", "many", "none"):
            assert parties["border"].post("/incidents", CLAIM | {"incident": incident})[0] == 201
    for n in range(LATEST_DISPUTES + 2):
        with clock.frozen_at(T + 60 + n):
            assert parties["recv"].post("/incidents/many/dispute", {"text": f"m{n}"})[0] == 201
            if n < 3:
                assert parties["customs"].post("/incidents/few/dispute", {"text": f"f{n}"})[0] == 201
    rows = {row["incident"]: row for row in public.get("/api/v1/incidents").json()["results"]}
    assert rows["few"]["disputes"] == "customs: f0 | customs: f1 | customs: f2" and rows["few"]["dispute_count"] == 3
    assert rows["many"]["disputes"].split(" | ") == [f"recv: m{n}" for n in range(2, LATEST_DISPUTES + 2)]
    assert rows["none"]["disputes"] == "" and rows["none"]["dispute_count"] == 0
