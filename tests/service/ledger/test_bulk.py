"""The bulk writer of `rebuild`: ids assigned by it, and the database's own ids continuing after them."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.ledger.rebuild import rebuild
from corridor.service.ledger.record import record_as
from corridor.service.passages.models import Leg, ManifestLine

from ..plans import plan_body

pytestmark = pytest.mark.django_db(transaction=True)
T = 1694420000


def content(**overrides):
    return {k: v for k, v in plan_body(**overrides).items() if k != "plan"}


def test_recording_after_a_rebuild_continues_with_fresh_ids(parties):
    with clock.frozen_at(T):
        for n in range(3):
            record_as("org-a", "plan.submit", content(), plan=f"p{n}")
    rebuild()
    assert sorted(Leg.objects.values_list("id", flat=True)) == [1, 2, 3]
    with clock.frozen_at(T + 60):
        record_as("org-a", "plan.submit", content(), plan="after")
    leg = Leg.objects.get(plan_id="after")
    assert leg.id > 3 and ManifestLine.objects.filter(leg=leg).count() == 1


def test_the_writer_gives_the_database_what_django_would(parties):
    """Plain values skip `get_db_prep_save`, and on SQLite datetimes and JSON values take a shortcut: they must
    come out exactly as through it, for every field of every read model (rows of the two-roads example, on
    whichever database the tests run)."""
    from django.db import connection, connections, models

    from corridor.service.ledger.bulk import _converter, _plain_type, _sqlite_shortcut
    from corridor.service.ledger.rebuild import derived_models

    from ..api_driver import drive
    from ..conftest import SCENARIO

    drive(SCENARIO, parties)
    compared = 0
    for model in derived_models():
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)
                  and (_plain_type(f, connection.vendor) or _sqlite_shortcut(f, connections["default"]))]
        convert = _converter(fields)
        for obj in model.objects.all()[:50]:
            values = [getattr(obj, f.attname) for f in fields]
            assert convert(values) == [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
            compared += 1
    assert compared > 50
