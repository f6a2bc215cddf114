"""A party is told of every statement signed in its name, once per statement on each channel it gave, in
the transaction that recorded it; a party with no contact gets nothing; an import reads the contacts once
per batch."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.config import CONFIG
from corridor.service.imports.attest import BATCH, ImportReport, ensure_source, record_attestations
from corridor.service.ledger.models import StatementIndex
from corridor.service.outbox import worker
from corridor.service.outbox.models import Message
from corridor.service.parties.models import PartyContact
from corridor.service.parties.operations import do_set_contact

from ..plans import plan_body
from ..signing import own_key, self_signed

pytestmark = pytest.mark.django_db
T = 1694420000
SITE = CONFIG.public_url.rstrip("/")


def signed_notices(**filters):
    return Message.objects.filter(kind="signed", **filters).order_by("id")


def test_each_statement_signed_in_a_partys_name_is_told_to_it_on_each_channel(parties):
    do_set_contact("org-a", email="ops@org-a.example", webhook_url="https://org-a.example/hook")
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    submit = StatementIndex.objects.get(type="plan.submit").idx
    assert [(m.channel, m.party, m.dedupe_key) for m in signed_notices()] == [
        ("email", "org-a", f"email:signed:{submit}"), ("webhook", "org-a", f"webhook:signed:{submit}")]
    body = signed_notices().first().body
    assert body | {"key": None} == {
        "kind": "signed", "index": submit, "type": "plan.submit", "seq": 1, "time": "2023-09-11T08:13:20Z",
        "plan": "p1", "key": None, "signed_by": "custodial", "member": None,
        "entry": f"{SITE}/log/entry/{submit}", "proof": f"{SITE}/log/proof/{submit}",
        "signatures": f"{SITE}/parties/org-a/signatures",
        "subject": f"Signed in your name: plan.submit (entry {submit}, server (custodial))"}
    assert body["key"].startswith("ed25519:")


def test_a_party_without_a_contact_is_told_nothing(parties):
    do_set_contact("border", email="duty@border.example")
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    assert not signed_notices().exists()  # org-a has no contact; border was not signed for
    with clock.frozen_at(T + 60):
        assert parties["border"].post("/plans/p1/note", {"sha256": "a" * 64})[0] == 201
    assert list(signed_notices().values_list("party", "body__type")) == [("border", "plan.note")]


def test_a_statement_the_party_signed_itself_is_told_too_and_sent_the_same_day(parties):
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    do_set_contact("org-a", email="ops@org-a.example")
    key = own_key("org-a", T + 10)
    assert self_signed(parties["org-a"], key, "plan.note", {"sha256": "a" * 64}, T + 20, plan="p1")[0] == 201
    [notice] = signed_notices()
    assert (notice.body["signed_by"], notice.due_at.timestamp()) == ("party", T + 20)
    with clock.frozen_at(T + 30):
        assert worker.process_due() == 1
    assert "plan.note" in mail.outbox[0].subject and "party's own key" in mail.outbox[0].subject
    assert json.loads(mail.outbox[0].body)["signed_by"] == "party"


def test_an_import_reads_the_contacts_once_per_batch(db):
    ensure_source("src", "A test source")
    do_set_contact("src", email="data@src.example")
    passages = [{"passage": f"src-{n}", "dataset": "test", "reference": str(n), "crossing": "Gate",
                 "received": "2024-01-01", "lines": [{"item": "Flour", "quantity": 1, "unit": "t", "weight_kg": 1}]}
                for n in range(BATCH + 3)]
    table = PartyContact._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        record_attestations("src", passages, ImportReport("test"), lambda message: None)
    assert sum(f'FROM "{table}"' in q["sql"] for q in queries.captured_queries) == 2  # two batches
    assert signed_notices(party="src").count() == BATCH + 3
