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
from django.db import connection, models


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
        if not objects:
            return
        database_ids = objects[0].pk is None  # rows nobody references get their ids from the database
        fields = [f for f in model._meta.concrete_fields if not (isinstance(f, models.AutoField) and database_ids)]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES " \
              f"({', '.join(['%s'] * len(fields))})"
        prep = [(f.attname, f.get_db_prep_save) for f in fields]
        rows = [[convert(getattr(obj, name), connection) for name, convert in prep] for obj in objects]
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
        converts = [f.get_db_prep_save for f in fields]
        prepared = [[convert(value, connection) for convert, value in zip(converts, row, strict=True)]
                    for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)
        self.written.add(model)

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids assigned here."""
        statements = connection.ops.sequence_reset_sql(no_style(), sorted(self.written, key=lambda m: m.__name__))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
