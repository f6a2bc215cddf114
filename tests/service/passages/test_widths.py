"""Whatever the rules accept, the read models store whole.

A value wider than its column aborts the write on PostgreSQL (a 500, after the signature was checked) and is
kept whole on SQLite only by accident. So every field the engine accepts at its longest must fit its column
(checked on every column of every table, on either database), and a clear value wider than the private
table that keeps it is refused with a stable code before anything is signed."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from corridor.engine.model import LABEL_MAX_LENGTH
from corridor.privacy import CREW_DOCUMENT_MAX_LENGTH, CREW_NAME_MAX_LENGTH
from corridor.service import clock
from corridor.service.imports.attest import ImportReport, ensure_source, record_attestations
from corridor.service.ledger.models import LogEntry

from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000
TEXT = 4000  # the engine's Text


def longest_plan(**leg_changes) -> dict:
    body = plan_body(crew={"leg-a": [{"name": "n" * CREW_NAME_MAX_LENGTH, "document": "d" * CREW_DOCUMENT_MAX_LENGTH}]})
    leg = body["legs"][0]
    leg["lines"][0] |= {"item": "i" * TEXT, "category": "c" * TEXT, "unit": "u" * LABEL_MAX_LENGTH}
    leg["vehicles"][0] |= {"plate": "p" * LABEL_MAX_LENGTH, "type": "t" * LABEL_MAX_LENGTH}
    leg["seals"] = ["s" * TEXT]
    leg.update(leg_changes)
    return body


def longest_attestation() -> dict:
    label = "a" * LABEL_MAX_LENGTH
    return {"passage": "x-1", "dataset": label, "reference": label, "crossing": label, "carrier": label,
            "origin": label, "received": "2024-01-01",
            "lines": [{"item": "i" * TEXT, "category": "c" * TEXT, "quantity": 1, "unit": label,
                       "destination": label, "published": {label: "v" * TEXT, "": ""}}]}


def overflowing_columns() -> list[str]:
    """Every value in every Corridor table that is longer than its column allows."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("corridor."):
            continue
        sized = [f for f in model._meta.concrete_fields if isinstance(f, models.CharField) and f.max_length]
        for row in model.objects.all():
            found += [f"{model.__name__}.{f.name}" for f in sized
                      if len(str(getattr(row, f.attname) or "")) > f.max_length]
    return found


def test_a_plan_at_every_limit_is_stored_whole(parties):
    with clock.frozen_at(T):
        status, answer = parties["org-a"].post("/plans", longest_plan())
    assert status == 201, answer
    assert overflowing_columns() == []


def test_an_attestation_at_every_limit_is_stored_whole():
    ensure_source("src", "A test source")
    report = record_attestations("src", [longest_attestation()], ImportReport("test"), lambda _: None)
    assert report.added == 1
    assert overflowing_columns() == []


@pytest.mark.parametrize(("change", "code"), [
    ({"vehicles": [{"id": "truck-1", "plate": "p" * (LABEL_MAX_LENGTH + 1), "type": "truck"}]}, "plate.invalid"),
    ({"vehicles": [{"id": "truck-1", "plate": "AB 1", "type": "t" * (LABEL_MAX_LENGTH + 1)}]}, "statement.malformed"),
])
def test_a_value_wider_than_its_column_is_refused_and_nothing_is_written(parties, change, code):
    before = LogEntry.objects.count()
    with clock.frozen_at(T):
        status, answer = parties["org-a"].post("/plans", longest_plan(**change))
    assert (status, answer["code"]) == (422, code)
    assert LogEntry.objects.count() == before


def test_a_crew_member_wider_than_the_private_table_is_refused(parties):
    body = plan_body(crew={"leg-a": [{"name": "n" * (CREW_NAME_MAX_LENGTH + 1), "document": "P1"}]})
    with clock.frozen_at(T):
        status, answer = parties["org-a"].post("/plans", body)
    assert (status, answer["code"]) == (422, "crew.invalid")
