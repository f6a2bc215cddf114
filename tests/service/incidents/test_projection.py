"""A dispute adds its row to the claim's (incidents/projection.py): the tables match what a rebuild writes from
the fold, and a dispute's write costs the same however many came before it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
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
