"""Which notices a change queues: newly awaited parties once, expiry and slot reminders as future rows."""

from __future__ import annotations

import pytest
from django.db import connection

from corridor.service import clock
from corridor.service.outbox.models import Message
from corridor.service.parties.operations import do_set_contact
from corridor.service.passages.models import Plan

from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000


@pytest.fixture
def contacts(parties):
    for party in ("org-a", "border", "customs", "recv", "escort"):
        do_set_contact(party, email=f"{party}@example.org")
    return parties


def test_a_party_is_told_once_that_it_is_awaited(contacts):
    with clock.frozen_at(T):
        contacts["org-a"].post("/plans", plan_body())
    with clock.frozen_at(T + 60):
        contacts["org-a"].post("/plans/p1/note", {"sha256": "d" * 64})
    awaited = Message.objects.filter(kind="awaited").order_by("party")
    assert list(awaited.values_list("party", flat=True)) == ["border", "customs", "escort", "recv"]


def test_a_scheduled_plan_queues_slot_reminders_two_hours_ahead(contacts):
    with clock.frozen_at(T):
        contacts["org-a"].post("/plans", plan_body())
    version = Plan.objects.get(pk="p1").version
    for n, party in enumerate(("border", "customs", "recv", "escort"), 1):
        with clock.frozen_at(T + n * 60):
            contacts[party].post("/plans/p1/consent", {"version": version})
    with clock.frozen_at(T + 600):
        contacts["org-a"].post("/plans/p1/propose-slot", {"slot": "s1", "start": "2023-09-12T07:00:00Z",
                                                           "end": "2023-09-12T09:00:00Z"})
    for n, party in enumerate(("border", "customs", "recv", "escort"), 1):
        with clock.frozen_at(T + 600 + n * 60):
            contacts[party].post("/plans/p1/confirm-slot", {"slot": "s1"})
    reminders = Message.objects.filter(kind="slot")
    assert reminders.count() == 5  # the requester and the four required parties
    assert {m.due_at.isoformat() for m in reminders} == {"2023-09-12T05:00:00+00:00"}


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_on_postgresql_the_contacts_and_deadlines_are_read_in_the_writer_locks_query(contacts):
    """Once contacts were found, a batch's plans' deadlines leave with the writer lock too: while it is held,
    the transaction reads nothing on its own."""
    from django.test.utils import CaptureQueriesContext

    from corridor.service.ledger.record import record_as
    from corridor.service.outbox.deadlines import do_set_response_deadline

    with clock.frozen_at(T):
        contacts["org-a"].post("/plans", plan_body())
        do_set_response_deadline("p1", 24, party="org-a", username="org-a-officer")
    with clock.frozen_at(T + 60), CaptureQueriesContext(connection) as queries:
        record_as("border", "plan.note", {"sha256": "a" * 64}, plan="p1")
    sql = [query["sql"] for query in queries.captured_queries]
    reads = [query for query in sql if "response_deadline" in query or "partycontact" in query]
    assert len(reads) == 1 and "pg_advisory_xact_lock" in reads[0], sql
    assert Message.objects.filter(kind="deadline").exists()


def test_parties_without_a_contact_get_no_rows(parties):
    with clock.frozen_at(T):
        parties["org-a"].post("/plans", plan_body())
    assert Message.objects.count() == 0


def test_a_batch_of_statements_about_one_plan_reads_its_deadline_once_and_inserts_its_notices_together(contacts):
    """The response deadline is read once per plan per recording transaction, not once per statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from corridor.service.ledger.record import custodial, record_built
    from corridor.service.outbox.deadlines import do_set_response_deadline

    with clock.frozen_at(T):
        contacts["org-a"].post("/plans", plan_body())
        do_set_response_deadline("p1", 24, party="org-a", username="org-a-officer")
    signed_before = Message.objects.filter(kind="signed").count()
    notes = [custodial(party, "plan.note", {"sha256": f"{n:064x}"}, plan="p1")
             for n, party in enumerate(("org-a", "border", "customs", "recv", "escort"))]
    with clock.frozen_at(T + 60), CaptureQueriesContext(connection) as queries:
        assert len(record_built(notes)) == 5
    assert sum("response_deadline" in query["sql"] or "responsedeadline" in query["sql"]
               for query in queries.captured_queries) == 1
    assert Message.objects.filter(kind="deadline").exists()
    # and its notices are inserted together at the end: the reminders re-queued by each statement in one
    # INSERT (duplicates ignored), the "signed in your name" ones in another
    table = Message._meta.db_table
    statements = [part.strip() for q in queries.captured_queries  # PostgreSQL: a batch's writes in one query
                  for part in q["sql"].split(";\n")]
    inserts = [sql for sql in statements if sql.startswith("INSERT") and f'INTO "{table}"' in sql]
    assert len(inserts) == 2, inserts
    assert Message.objects.filter(kind="signed").count() == signed_before + 5  # one channel (email) each
    reminders = sorted(Message.objects.exclude(kind="signed").values_list("dedupe_key", flat=True))
    with clock.frozen_at(T + 120):  # a later batch re-queues the same reminders: already there, skipped
        assert len(record_built([custodial("org-a", "plan.note", {"sha256": "e" * 64}, plan="p1")])) == 1
    assert sorted(Message.objects.exclude(kind="signed").values_list("dedupe_key", flat=True)) == reminders
