"""`corridor rebuild` gives exactly the read models that recording built incrementally."""

from __future__ import annotations

import random

import pytest
from django.db import models

from corridor.service import clock
from corridor.service.ledger.rebuild import READ_MODELS, rebuild
from corridor.service.ledger.record import Refused, record_as
from corridor.service.passages.models import Leg, Plan

from ..api_driver import drive
from ..conftest import SCENARIO
from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000


def dump() -> dict[str, list]:
    """Every read model's rows, without surrogate ids (legs are named by plan and leg id)."""
    legs = {leg.pk: (leg.plan_id, leg.leg_id) for leg in Leg.objects.all()}
    tables = {}
    for model in READ_MODELS:
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
