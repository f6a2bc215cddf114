"""A party is told of every statement signed in its name, and of the operator's statements about its keys,
once per statement on each channel it gave, in the transaction that recorded it; a party with no contact
gets nothing; an import reads the contacts once per batch."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import key_id
from corridor.service import clock
from corridor.service.config import CONFIG
from corridor.service.imports.attest import BATCH, ImportReport, ensure_source, record_attestations
from corridor.service.ledger.models import StatementIndex
from corridor.service.outbox import worker
from corridor.service.outbox.models import Message
from corridor.service.parties.models import PartyContact
from corridor.service.parties.operations import do_set_contact

from ..plans import plan_body
from ..signing import custody_regained, own_key, revoked_by_operator, self_signed

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
        "plan": "p1", "key": None, "signed_by": "custodial", "member": None, "about_party": False,
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
    registered, notice = signed_notices()  # the operator registered the key org-a keeps, then org-a signed
    assert (registered.body["type"], registered.body["about_party"], notice.body["about_party"]) == (
        "key.register", True, False)
    assert (notice.body["signed_by"], notice.due_at.timestamp()) == ("party", T + 20)
    with clock.frozen_at(T + 30):
        assert worker.process_due() == 2
    assert "document" in mail.outbox[1].subject and "party's own key" in mail.outbox[1].subject
    assert "Signed with: party's own key" in mail.outbox[1].body and "/log/proof/" in mail.outbox[1].body


def test_the_operator_registering_a_custodial_key_for_a_party_is_told_to_that_party(parties):
    """border ended custody; the operator registers a new custodial key for it (the server can sign in its
    name again): border is told, marked as the operator's statement about its keys; org-a is told nothing."""
    for party in ("border", "org-a"):
        do_set_contact(party, email=f"ops@{party}.example", webhook_url=f"https://{party}.example/hook")
    entries = custody_regained("border", T)
    registered = entries["registered"]
    assert sorted(signed_notices(body__index=registered).values_list("party", "channel", "dedupe_key")) == [
        ("border", "email", f"email:signed:{registered}:border"),
        ("border", "webhook", f"webhook:signed:{registered}:border")]
    told = signed_notices(party="border", channel="email", body__index=registered).get()
    assert told.subject == f"By the operator, about your party's keys: key.register (entry {registered}, registrar)"
    assert told.body | {"key": None, "time": None} == {
        "kind": "signed", "subject": told.subject, "index": registered, "type": "key.register", "seq": told.body["seq"],
        "time": None, "plan": None, "key": None, "signed_by": "registrar", "member": None, "about_party": True,
        "entry": f"{SITE}/log/entry/{registered}", "proof": f"{SITE}/log/proof/{registered}",
        "signatures": f"{SITE}/parties/border/signatures"}
    ended = signed_notices(body__index=entries["ended"])
    assert {(m.party, m.body["about_party"]) for m in ended} == {("border", False)}
    assert not signed_notices(party="org-a").exists()


def test_the_operator_revoking_a_partys_key_is_told_to_that_party(parties):
    do_set_contact("org-a", email="ops@org-a.example")
    kept = key_id(public_bytes(own_key("org-a", T)))
    revoked = revoked_by_operator(kept, T + 10)
    told = signed_notices(body__index=revoked).get()
    assert (told.party, told.body["type"], told.body["about_party"]) == ("org-a", "key.revoke", True)


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
