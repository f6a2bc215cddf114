"""`corridor rebuild` gives exactly the read models that recording built incrementally."""

from __future__ import annotations

import random

import pytest
from django.contrib.auth import get_user_model
from django.db import models

from corridor.service import clock
from corridor.service.guard import domain_writes
from corridor.service.ledger.rebuild import corridor_models, derived_models, rebuild
from corridor.service.ledger.record import Refused, record_as
from corridor.service.parties.models import ApiToken, Membership, PartyContact, PartyKey
from corridor.service.parties.operations import do_create_user
from corridor.service.passages.models import CrewMember, Leg, Plan

from ..api_driver import drive
from ..conftest import SCENARIO
from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000


def dump() -> dict[str, list]:
    """Every read model's rows, without surrogate ids (legs are named by plan and leg id)."""
    legs = {leg.pk: (leg.plan_id, leg.leg_id) for leg in Leg.objects.all()}
    tables = {}
    for model in derived_models():
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
        to_leg = [f.attname for f in fields if f.is_relation and f.related_model is Leg]
        rows = []
        for row in model.objects.values(*[f.attname for f in fields]):
            for name in to_leg:
                row[name] = legs[row[name]]
            rows.append(tuple(sorted((k, repr(v)) for k, v in row.items())))
        tables[model._meta.db_table] = sorted(rows)
    return tables


def test_rebuild_equals_incremental_after_the_two_roads_example(parties):
    drive(SCENARIO, parties)
    incremental = dump()
    assert len(incremental["plan"]) == 2 and len(incremental["incident"]) == 2
    rebuild()
    assert dump() == incremental


ACTIONS = ["plan.consent", "plan.refuse", "plan.withdraw", "plan.request_info", "plan.answer", "slot.propose",
           "slot.confirm", "slot.decline", "leg.arrive", "leg.inspect", "plan.go", "leg.depart", "leg.deliver",
           "plan.amend", "plan.cancel"]


def random_payload(rng: random.Random, kind: str, plan_id: str) -> dict:
    plan = Plan.objects.get(pk=plan_id)
    version = plan.version if rng.random() < 0.9 else "0" * 64
    choices = {
        "plan.consent": {"version": version},
        "plan.refuse": {"version": version, "reason": rng.choice(["security", "timing"]), "text": "no"},
        "plan.withdraw": {"reason": "security", "text": "changed"},
        "plan.request_info": {"request": f"q{rng.randint(1, 3)}", "question": "when?"},
        "plan.answer": {"request": f"q{rng.randint(1, 3)}", "answer": "tomorrow"},
        "slot.propose": {"slot": f"s{rng.randint(1, 3)}", "start": "2023-09-12T07:00:00Z",
                         "end": "2023-09-12T09:00:00Z"},
        "slot.confirm": {"slot": f"s{rng.randint(1, 3)}"},
        "slot.decline": {"slot": f"s{rng.randint(1, 3)}", "text": "too early"},
        "leg.arrive": {"leg": "leg-a", "checkpoint": "lachin-checkpoint"},
        "leg.inspect": {"leg": "leg-a", "checkpoint": "lachin-checkpoint", "decision": "cleared",
                        "findings": [{"line": "flour", "found": 20}]},
        "plan.go": {},
        "leg.depart": {"leg": "leg-a"},
        "leg.deliver": {"leg": "leg-a", "receipts": [{"line": "flour", "good": 20}]},
        "plan.amend": {k: v for k, v in plan_body(plan_id, tolerance_seconds=rng.randint(60, 900)).items()
                       if k != "plan"},
        "plan.cancel": {"text": "no longer needed"},
    }
    return choices[kind]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rebuild_equals_incremental_after_random_sequences(parties, seed):
    rng = random.Random(seed)
    now = T
    for plan_id in ("r1", "r2"):
        with clock.frozen_at(now):
            record_as("org-a", "plan.submit", {k: v for k, v in plan_body().items() if k != "plan"}, plan=plan_id)
    accepted = 0
    for _ in range(150):
        now += rng.randint(60, 6 * 3600)
        plan_id, kind = rng.choice(["r1", "r2"]), rng.choice(ACTIONS)
        party = rng.choice(["org-a", "border", "customs", "recv", "escort"])
        with clock.frozen_at(now):
            try:
                record_as(party, kind, random_payload(rng, kind, plan_id), plan=plan_id)
                accepted += 1
            except Refused:
                pass
    assert accepted > 10
    incremental = dump()
    rebuild()
    assert dump() == incremental


def test_every_model_says_whether_the_log_derives_it():
    undeclared = [m.__name__ for m in corridor_models() if not isinstance(m.__dict__.get("derived_from_log"), bool)]
    assert undeclared == [], "declare derived_from_log = True (rebuilt from the log) or False (kept) on each model"


def test_kept_rows_refer_to_derived_rows_by_their_natural_keys():
    """Surrogate ids (a leg's) are assigned afresh by a rebuild: a kept row must not point at one."""
    for model in corridor_models():
        if model.derived_from_log:
            continue
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target is not None and getattr(target, "derived_from_log", False):
                assert not isinstance(target._meta.pk, models.AutoField), f"{model.__name__}.{field.name}"


CREW = {"leg-a": [{"name": "Driver One", "document": "P1234567"}]}


def kept_rows() -> dict[str, list]:
    rows = {"users": list(get_user_model().objects.values_list("username", "password")),
            "memberships": list(Membership.objects.values_list("user__username", "party_id", "role")),
            "tokens": list(ApiToken.objects.values_list("digest", flat=True)),
            "contacts": list(PartyContact.objects.values_list("party_id", "email")),
            "custodial keys": list(PartyKey.objects.exclude(sealed_private=None)
                                   .values_list("key_id", "sealed_private")),
            "crew": list(CrewMember.objects.values_list("plan_id", "name", "document", "salt"))}
    return {name: sorted(values) for name, values in rows.items()}  # PostgreSQL returns rows in any order


def test_rebuild_keeps_users_tokens_contacts_custodial_keys_and_crew(parties):
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body(crew=CREW))[0] == 201
    PartyContact.objects.create(party_id="border", email="duty@border.example")
    before = kept_rows()
    assert all(before.values())
    rebuild()
    assert kept_rows() == before


def test_after_a_rebuild_every_user_still_acts_with_its_token(parties):
    before = {party: client.get("/me") for party, client in parties.items()}
    assert all(party in body["parties"]["view_private"] for party, (_, body) in before.items() if party != "mediator")
    rebuild()
    assert {party: client.get("/me") for party, client in parties.items()} == before
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    version = Plan.objects.get(pk="p1").version
    with clock.frozen_at(T + 60):
        assert parties["border"].post("/plans/p1/consent", {"version": version})[0] == 201


def test_after_a_rebuild_every_user_still_signs_in_on_the_pages(parties, client):
    user, password = do_create_user("clerk", "border", "officer")
    rebuild()
    assert client.login(username=user.username, password=password)
    page = client.get("/home")
    assert page.status_code == 200 and "border" in page.content.decode()


def test_a_kept_row_pointing_at_what_the_log_no_longer_holds_refuses_the_rebuild(parties):
    from corridor.service.ledger.models import LogEntry
    from corridor.service.ledger.rebuild import RebuildError

    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body(crew=CREW))[0] == 201
    last = LogEntry.objects.order_by("-idx").first()
    with domain_writes():
        last.delete()  # the plan's submission is gone from the log, its crew in clear is not
    with pytest.raises(RebuildError, match="no longer holds"):
        rebuild()
    assert CrewMember.objects.filter(plan_id="p1").exists()


def test_rebuild_keeps_unknown_weights_unknown_and_the_published_cells():
    from corridor.service.imports.attest import ImportReport, ensure_source, record_attestations
    from corridor.service.passages.models import Attestation

    lines = [{"item": "Flour", "quantity": 3, "unit": "Pallets", "published": {"Units": "Pallets", "Quantity": "3"}},
             {"item": "Rice", "quantity": 2, "unit": "MT", "weight_kg": 2000}]
    ensure_source("src", "A test source")
    record_attestations("src", [{"passage": "x-1", "dataset": "d", "reference": "1", "crossing": "Gate",
                                 "lines": lines}, {"passage": "x-2", "dataset": "d", "reference": "2",
                                                   "crossing": "Gate", "lines": lines[1:]}],
                        ImportReport("test"), lambda _: None)
    incremental = dump()
    assert dict(Attestation.objects.values_list("passage", "weight_kg")) == {"x-1": None, "x-2": 2000}
    rebuild()
    assert dump() == incremental
    assert Attestation.objects.get(pk="x-1").lines.get(item="Flour").published == {"Units": "Pallets", "Quantity": "3"}


def forge_a_signature() -> int:
    """Replace the signature of a plan statement in the log's second half with 64 zero bytes; its index."""
    import base64

    import msgspec

    from corridor.service.ledger.models import LogEntry

    entries = list(LogEntry.objects.order_by("idx"))
    victim = next(e for e in entries[len(entries) // 2:] if b'"type":"plan.' in bytes(e.data))
    value = msgspec.json.decode(bytes(victim.data))
    value["signature"] = base64.b64encode(bytes(64)).decode()
    with domain_writes():
        LogEntry.objects.filter(pk=victim.pk).update(data=msgspec.json.encode(value, order="sorted"))
    return victim.idx


@pytest.mark.parametrize("parallel", [False, True])
def test_a_bad_signature_refuses_the_rebuild_and_changes_nothing(parties, monkeypatch, parallel):
    """Entries no checkpoint covers: the fold goes on while their signatures are checked elsewhere; the first
    bad one still refuses it all."""
    from corridor.ledger import audit
    from corridor.service.ledger.rebuild import RebuildError

    monkeypatch.setattr(audit, "PARALLEL_FROM", 1 if parallel else 10**9)
    monkeypatch.setattr(audit, "CHUNK", 3)
    drive(SCENARIO, parties)
    before, indexes = dump(), schema()
    victim = forge_a_signature()
    with pytest.raises(RebuildError, match=f"entry {victim}: signature.invalid"):
        rebuild()
    assert dump() == before
    assert schema() == indexes  # the indexes dropped for the load are back (SQLite)


@pytest.mark.parametrize("check_signatures", [False, True])
def test_an_entry_changed_under_a_signed_checkpoint_refuses_the_rebuild(parties, tiles, check_signatures):
    """Under a checkpoint the signed tree vouches for the entries: a changed one breaks its root (or, when
    every signature is checked again, its signature)."""
    from corridor.service.ledger.integrator import integrate_now
    from corridor.service.ledger.rebuild import RebuildError

    drive(SCENARIO, parties)
    integrate_now()
    before = dump()
    victim = forge_a_signature()
    expected = f"entry {victim}: signature.invalid" if check_signatures else "do not match its signed checkpoint"
    with pytest.raises(RebuildError, match=expected):
        rebuild(check_signatures=check_signatures)
    assert dump() == before


def test_rebuild_equals_incremental_with_part_of_the_log_under_a_checkpoint(parties, tiles):
    """Entries under the checkpoint are folded as vouched for, the rest checked in full: the same rows."""
    from corridor.service.ledger.integrator import integrate_now
    from corridor.service.ledger.models import SignedCheckpoint

    def submit(plan: str) -> None:
        with clock.frozen_at(T):
            record_as("org-a", "plan.submit", {k: v for k, v in plan_body().items() if k != "plan"}, plan=plan)

    submit("before")
    integrate_now()
    submit("after")
    assert 0 < SignedCheckpoint.objects.order_by("-size").first().size < log_size()
    incremental = dump()
    rebuild()
    assert dump() == incremental


def log_size() -> int:
    from corridor.service.ledger.models import LogEntry

    return LogEntry.objects.count()


def test_a_rebuild_leaves_the_planner_statistics_of_what_it_rewrote(parties):
    """PostgreSQL: the rewritten tables analyzed (without statistics the planner reads an API page's leg
    counts and waits by sequential scan); SQLite: no statistics, the plans measured without them kept."""
    from django.db import connection

    drive(SCENARIO, parties)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(DISTINCT tablename) FROM pg_stats WHERE tablename IN ('leg', 'clock', 'plan')")
            before = cursor.fetchone()[0]
            rebuild()
            cursor.execute("SELECT count(DISTINCT tablename) FROM pg_stats WHERE tablename IN ('leg', 'clock', 'plan')")
            assert (before, cursor.fetchone()[0]) == (0, 3)
        else:
            rebuild()
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 0


def schema() -> list[tuple]:
    from django.db import connection

    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
        return cursor.fetchall()


def test_rebuild_leaves_every_index_as_it_found_it(parties):
    """SQLite: the secondary indexes are dropped while the rows go in and created again from their own SQL."""
    drive(SCENARIO, parties)
    before = schema()
    rebuild()
    assert schema() == before


def test_rebuild_reads_the_log_a_batch_at_a_time(parties, tiles, monkeypatch):
    """The log is streamed a batch at a time, never held whole (~6 GB at 10M statements): batches cut
    anywhere give the same rows, and the signed root is still checked over the entries read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from corridor.service.ledger import rebuild as module
    from corridor.service.ledger.integrator import integrate_now

    monkeypatch.setattr(module, "READ_BATCH", 7)
    drive(SCENARIO, parties)
    integrate_now()
    incremental = dump()
    with CaptureQueriesContext(connection) as queries:
        rebuild()
    assert dump() == incremental
    reads = [query for query in queries.captured_queries if query["sql"].startswith("SELECT idx, data FROM entries")]
    assert len(reads) >= log_size() // 7


def test_a_log_with_an_entry_missing_is_refused_and_nothing_is_rebuilt(parties, monkeypatch):
    from corridor.service.ledger import rebuild as module
    from corridor.service.ledger.models import LogEntry
    from corridor.service.ledger.rebuild import RebuildError

    monkeypatch.setattr(module, "READ_BATCH", 5)
    drive(SCENARIO, parties)
    before = dump()
    LogEntry.objects.filter(idx=12).delete()
    with pytest.raises(RebuildError, match="the log has no entry 12"):
        rebuild()
    assert dump() == before


def test_an_entry_changed_is_found_when_the_log_is_read_in_batches(parties, tiles, monkeypatch):
    from corridor.service.ledger import rebuild as module
    from corridor.service.ledger.integrator import integrate_now
    from corridor.service.ledger.rebuild import RebuildError

    monkeypatch.setattr(module, "READ_BATCH", 5)
    drive(SCENARIO, parties)
    integrate_now()
    before = dump()
    forge_a_signature()
    with pytest.raises(RebuildError, match="do not match its signed checkpoint"):
        rebuild()
    assert dump() == before


@pytest.mark.parametrize("workers", [1, 2])
def test_rebuild_with_the_closed_plans_packed_every_few_entries_equals_incremental(parties, monkeypatch, workers):
    """The rebuild's fold keeps its closed plans packed (packed_plans.py), packing every PACK_EVERY entries, and
    the workers writing the plans' rows decode the packed ones: the same rows as recording built."""
    from corridor import packed_plans
    from corridor.service.ledger import rebuild as module

    packed, written = [], []
    pack_closed, write_plans = packed_plans.PackedPlans.pack_closed, module._write_plans
    monkeypatch.setattr(packed_plans.PackedPlans, "pack_closed", lambda self: packed.append(pack_closed(self)))
    monkeypatch.setattr(module, "_write_plans", lambda plans, *rest: (written.extend(plans), write_plans(plans, *rest)))
    monkeypatch.setattr(module, "PACK_EVERY", 2)
    monkeypatch.setattr(module, "BATCH", 1)  # a batch a plan: the workers' leg numbering is exercised too
    monkeypatch.setattr(module.os, "cpu_count", lambda: workers)
    drive(SCENARIO, parties)
    with clock.frozen_at(1695100000):
        record_as("org-a", "plan.submit", {k: v for k, v in plan_body().items() if k != "plan"}, plan="open-one")
    incremental = dump()
    rebuild()
    assert dump() == incremental
    assert sum(packed) >= 2 and len(packed) == log_size() // 2
    assert sorted(type(plan).__name__ for plan in written) == ["PlanState", "bytes", "bytes"]  # the open one, decoded
