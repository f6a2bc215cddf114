"""`plan_rows`, the one builder of a plan's read-model rows for recording and `rebuild`: plain tuples in each
table's column order, whose digests are those the model objects gave before (stored digests keep meaning)."""

from __future__ import annotations

import hashlib

import pytest

from corridor.service.ledger.record import current_fold
from corridor.service.passages.models import Clock, Leg, Plan, Position
from corridor.service.passages.projection import LEG_CHILDREN, columns, objects, plan_rows

from ..api_driver import drive
from ..conftest import SCENARIO

pytestmark = pytest.mark.django_db


def model_digest(rows: list) -> str:
    """The digest as it was computed of model objects: each concrete field's repr but the id and the leg."""
    values = [[repr(getattr(o, f.attname)) for f in o._meta.concrete_fields
               if not f.primary_key and f.related_model is not Leg] for o in rows]
    return hashlib.sha256(repr(values).encode()).hexdigest()[:32]


def test_each_row_holds_its_tables_columns_and_the_digests_of_model_objects(parties):
    drive(SCENARIO, parties)
    built = [plan_rows(plan) for plan in current_fold().state.plans.values()]
    assert built and any(rows.leg_children and rows.leg_children[0][2] for rows in built)  # inspections too
    for rows in built:
        assert len(rows.plan) == len(columns(Plan))
        legs = objects(Leg, rows.legs)
        children = [item for leg, under in zip(legs, rows.leg_children, strict=True)
                    for model, items in zip(LEG_CHILDREN, under, strict=True)
                    for item in objects(model, items, leg=leg)]
        assert rows.value("legs_digest") == model_digest([*legs, *children])
        assert rows.value("positions_digest") == model_digest(objects(Position, rows.positions))
        assert rows.value("clocks_digest") == model_digest(objects(Clock, rows.clocks))
        stored = Plan.objects.get(pk=rows.value("id"))
        assert [getattr(stored, name) for name in columns(Plan)] == list(rows.plan)


def test_the_plan_rows_values_are_prepared_for_the_database_as_django_prepares_them(parties):
    """`prepared_plan_values` passes a str or an int through unprepared where Django's preparation would
    return it unchanged: on every plan of the example, on this test run's database, the same values."""
    from django.db import connection

    from corridor.service.passages.projection import _plan_fields, prepared_plan_values

    drive(SCENARIO, parties)
    for plan in current_fold().state.plans.values():
        values = dict(zip(columns(Plan), plan_rows(plan).plan, strict=True))
        by_django = [field.get_db_prep_save(values[field.attname], connection) for field in _plan_fields()]
        ours = prepared_plan_values(values)
        assert [comparable(v) for v in ours] == [comparable(v) for v in by_django]


def comparable(value) -> tuple:
    """A prepared value's type and content (psycopg's Jsonb wrapper holds its content in `obj`)."""
    return type(value), getattr(value, "obj", value)
