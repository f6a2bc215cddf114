"""Fast inserts for `rebuild`, which writes millions of rows into empty tables.

Django's bulk_create spends most of its time compiling each value through its SQL compiler; here each
model's insert statement is built once and each value goes through its field's own `get_db_prep_save`
(the same conversion Django applies), then one `executemany` per batch. Surrogate ids are assigned here
(the tables are empty), so rows can reference each other before they are written; PostgreSQL's
sequences are moved past them afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, models

# Field classes (exactly these, not subclasses) whose `get_db_prep_save` gives back a value of their own
# Python type, or None, unchanged on SQLite and PostgreSQL: such values skip the call.
PLAIN_TYPES = {models.CharField: str, models.TextField: str, models.IntegerField: int,
               models.BigIntegerField: int, models.BooleanField: bool, models.AutoField: int,
               models.BigAutoField: int}


class BulkWriter:
    def __init__(self) -> None:
        self.next_ids: dict[type, int] = {}
        self.written: set[type] = set()

    def assign_ids(self, objects: Iterable[models.Model]) -> None:
        for obj in objects:
            model = type(obj)
            obj.pk = self.next_ids.get(model, 1)
            self.next_ids[model] = obj.pk + 1

    def insert(self, model: type[models.Model], objects: list[models.Model]) -> None:
        self.write(prepare(model, objects))

    def write(self, prepared: Prepared | None) -> None:
        """Rows prepared by `prepare` (here, or in another process)."""
        if prepared is None:
            return
        model, sql, rows = prepared
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        self.written.add(model)

    def insert_values(self, model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Rows given as plain values (attribute names `columns`, in that order) rather than model objects:
        each value still goes through its field's `get_db_prep_save`, as `insert` does."""
        self.write(prepare_values(model, columns, rows))

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids assigned here."""
        statements = connection.ops.sequence_reset_sql(no_style(), sorted(self.written, key=lambda m: m.__name__))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


Prepared = tuple[type[models.Model], str, list[list]]  # the model, its INSERT and rows of database values


def prepare(model: type[models.Model], objects: list[models.Model]) -> Prepared | None:
    """The INSERT of `objects` and their rows in the database's values: no query, so it also runs in a
    forked worker (whose rows the parent then writes)."""
    if not objects:
        return None
    database_ids = objects[0].pk is None  # rows nobody references get their ids from the database
    fields = [f for f in model._meta.concrete_fields if not (isinstance(f, models.AutoField) and database_ids)]
    names = [f.attname for f in fields]
    return prepare_values(model, names, [[getattr(obj, name) for name in names] for obj in objects])


def prepare_values(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> Prepared | None:
    """`prepare` for rows of plain values (attribute names `columns`, in that order): the same INSERT and
    conversion, without a model object per row."""
    fields = [model._meta.get_field(name) for name in columns]
    convert = _converter(fields)
    values = [convert(row) for row in rows]
    if not values:
        return None
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} " \
          f"({', '.join(connection.ops.quote_name(f.column) for f in fields)}) " \
          f"VALUES ({', '.join(['%s'] * len(fields))})"
    return model, sql, values


def _converter(fields: list[models.Field]):
    """A function from a row's Python values (in `fields`' order) to the database's: each value through its
    field's `get_db_prep_save`, with the real connection object (Django's `connection` is a proxy whose
    every attribute costs a thread-local lookup), except where a shortcut gives the same value: a plain
    field's value already of its type, and on SQLite a UTC datetime or a JSON value (`_sqlite_shortcut`).

    The function is written out for these fields and compiled once, one expression a column: looping over
    the columns for each row cost ~0.6 µs a value, several times the conversion itself (rebuild converts
    tens of millions of values)."""
    database = connections[DEFAULT_DB_ALIAS]
    names, columns = {"database": database}, []
    for n, field in enumerate(fields):
        names[f"prep{n}"] = _sqlite_shortcut(field, database) or field.get_db_prep_save
        names[f"plain{n}"] = _plain_type(field, database.vendor)
        kept = f"v{n} if v{n} is None or type(v{n}) is plain{n} else " if names[f"plain{n}"] else ""
        columns.append(f"{kept}prep{n}(v{n}, database)")
    values = "".join(f"v{n}, " for n in range(len(fields)))
    source = f"def convert(row):\n    ({values}) = row\n    return [{', '.join(columns)}]\n"
    exec(compile(source, f"<converter of {len(fields)} columns>", "exec"), names)  # our own text, from the fields
    return names["convert"]


def _plain_type(field: models.Field, vendor: str) -> type | None:
    """str, int or bool for the plain Django fields whose database value is the Python value itself
    (PostgreSQL's integers are wrapped in psycopg's sized types, so they still go through the field); a
    foreign key's is its target's."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    plain = PLAIN_TYPES.get(type(field))
    return None if plain is int and vendor == "postgresql" else plain


def _sqlite_shortcut(field: models.Field, database):
    """A faster `get_db_prep_save(value, database)` giving the same value, on SQLite with time zones on and
    the connection in UTC (this service's settings), or None: an aware UTC datetime is kept as its naive
    text, a JSON value as `json.dumps` of it (no encoder); any other value goes through the field."""
    if database.vendor != "sqlite" or not settings.USE_TZ or database.timezone is not UTC:
        return None
    prep = field.get_db_prep_save
    if type(field) is models.DateTimeField:
        def utc_text(value, database):
            if value is None:
                return None
            if type(value) is datetime and value.tzinfo is UTC:
                # adapt_datetimefield_value's str() of it made naive in UTC: the same text as its ISO form
                # without the "+00:00" (a third cheaper, without a new datetime)
                return value.isoformat(" ")[:-6]
            return prep(value, database)
        return utc_text
    if type(field) is models.JSONField and field.encoder is None:
        def json_text(value, database):
            if value is None:
                return None  # SQL NULL, as Django stores None
            if type(value) in JSON_TYPES:
                return json.dumps(value)  # adapt_json_value
            return prep(value, database)
        return json_text
    return None


JSON_TYPES = frozenset({dict, list, str, int, bool})
