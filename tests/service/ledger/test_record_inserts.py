"""The batch's INSERTs of entries and index rows: given as values (`defer_values`, no model object built) or as
model objects (`defer_insert`), each value is prepared for the database as Django prepares it."""

from __future__ import annotations

import pytest
from django.db import connection

from corridor.service.ledger import record as recording
from corridor.service.ledger.models import LogEntry, StatementIndex
from corridor.service.ledger.projection import INDEX_COLUMNS
from corridor.service.outbox.models import Message

from ..api_driver import drive
from ..conftest import SCENARIO

pytestmark = pytest.mark.django_db


def comparable(value) -> tuple:
    """A prepared value's type and content (psycopg's Jsonb wrapper holds its content in `obj`)."""
    return type(value), getattr(value, "obj", value)


def by_django(model, rows) -> list:
    fields = recording._insert_fields(model)
    return [comparable(field.get_db_prep_save(field.pre_save(row, True), connection)) for row in rows
            for field in fields]


def prepared(model, rows) -> list:
    return [comparable(value) for _, params in recording._inserts(model, rows) for value in params]


@pytest.mark.parametrize("model", [LogEntry, StatementIndex])
def test_each_value_is_prepared_as_django_prepares_it_from_a_model_object_or_its_values(parties, model):
    drive(SCENARIO, parties)
    rows = list(model.objects.order_by("pk"))
    assert rows
    names = [field.attname for field in recording._insert_fields(model)]
    assert prepared(model, rows) == by_django(model, rows)
    assert prepared(model, [tuple(getattr(row, name) for name in names) for row in rows]) == by_django(model, rows)


def test_values_are_deferred_only_with_every_column_in_order_and_a_key_of_their_own():
    token = recording._deferred.set({})
    try:
        with pytest.raises(ValueError, match="exactly the columns"):
            recording.defer_values(StatementIndex, tuple(reversed(INDEX_COLUMNS)), tuple(range(len(INDEX_COLUMNS))))
        with pytest.raises(ValueError, match="exactly the columns"):
            recording.defer_values(Message, ("party",), ("org-a",))  # numbered by the database
        recording.defer_values(LogEntry, recording.ENTRY_COLUMNS, (0, b"{}", b"leaf"))
        assert recording._deferred.get() == {LogEntry: [(0, b"{}", b"leaf")]}
    finally:
        recording._deferred.reset(token)


def test_defer_values_is_for_recording_transactions_only():
    with pytest.raises(RuntimeError, match="projection steps"):
        recording.defer_values(LogEntry, recording.ENTRY_COLUMNS, (0, b"{}", b"leaf"))
