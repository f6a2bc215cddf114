"""Fast inserts for `rebuild`, which writes millions of rows into empty tables.

Django's bulk_create spends most of its time compiling each value through its SQL compiler; here each
model's insert statement is built once and each value goes through its field's own `get_db_prep_save`
(the same conversion Django applies), then one `executemany` per batch. Surrogate ids are assigned here
(the tables are empty), so rows can reference each other before they are written; PostgreSQL's
sequences are moved past them afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, models

# Field classes (exactly these, not subclasses) whose `get_db_prep_save` gives back a value of their own
# Python type, or None, unchanged on SQLite and PostgreSQL: such values skip the call.
PLAIN_TYPES = {models.CharField: str, models.TextField: str, models.IntegerField: int,
               models.BigIntegerField: int, models.BooleanField: bool}


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
        if not rows:
            return
        fields = [model._meta.get_field(name) for name in columns]
        sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} " \
              f"({', '.join(connection.ops.quote_name(f.column) for f in fields)}) " \
              f"VALUES ({', '.join(['%s'] * len(fields))})"
        convert = _converter(fields)
        prepared = [convert(row) for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)
        self.written.add(model)

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
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES " \
          f"({', '.join(['%s'] * len(fields))})"
    names = [f.attname for f in fields]
    convert = _converter(fields)
    return model, sql, [convert([getattr(obj, name) for name in names]) for obj in objects]


def _converter(fields: list[models.Field]):
    """A function from a row's Python values (in `fields`' order) to the database's: each value through its
    field's `get_db_prep_save`, with the real connection object (Django's `connection` is a proxy whose
    every attribute costs a thread-local lookup), except a plain field's value already of its type."""
    database = connections[DEFAULT_DB_ALIAS]
    steps = [(f.get_db_prep_save, _plain_type(f, database.vendor)) for f in fields]

    def convert(values) -> list:
        return [value if (value is None and field_type) or type(value) is field_type else prep(value, database)
                for (prep, field_type), value in zip(steps, values, strict=True)]
    return convert


def _plain_type(field: models.Field, vendor: str) -> type | None:
    """str, int or bool for the plain Django fields whose database value is the Python value itself
    (PostgreSQL's integers are wrapped in psycopg's sized types, so they still go through the field)."""
    plain = PLAIN_TYPES.get(type(field))
    return None if plain is int and vendor == "postgresql" else plain
