"""Nothing but record() writes domain tables: at run time (the guard every request runs under) and in the
source (no other module calls a writing ORM method on a domain model)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import transaction

from corridor.service.guard import DOMAIN_TABLES, DomainWriteRefused, guarded
from corridor.service.ledger.record import record_as
from corridor.service.parties.models import Party

SERVICE = Path(__file__).parents[2] / "src" / "corridor" / "service"
# the modules that write domain tables, all called from record() or rebuild()
WRITERS = {"ledger/record.py", "ledger/projection.py", "ledger/rebuild.py", "parties/projection.py",
           "passages/projection.py", "incidents/projection.py", "outbox/notify.py"}
WRITE_CALL = re.compile(r"\b([A-Z]\w+)\.objects\.[^\n]*?\.?(create|bulk_create|update_or_create|get_or_create|"
                        r"update|delete)\(")


@pytest.mark.django_db
def test_a_direct_write_outside_record_is_refused():
    with guarded(), pytest.raises(DomainWriteRefused, match="party is written only by record"), \
            transaction.atomic():
        Party.objects.create(id="sneaky", name="Sneaky", kind="humanitarian", registered_at=datetime.now(UTC))
    with guarded():
        record_as("operator", "party.register", {"id": "fair", "name": "Fair", "kind": "humanitarian"})
    assert Party.objects.filter(id="fair").exists() and not Party.objects.filter(id="sneaky").exists()


def domain_models() -> set[str]:
    from django.apps import apps

    return {m.__name__ for m in apps.get_models() if m._meta.db_table in DOMAIN_TABLES}


@pytest.mark.django_db
def test_no_other_module_writes_domain_models():
    offenders = []
    models = domain_models()
    for path in sorted(SERVICE.rglob("*.py")):
        relative = path.relative_to(SERVICE).as_posix()
        if relative in WRITERS or "/migrations/" in relative:
            continue
        for match in WRITE_CALL.finditer(path.read_text()):
            if match.group(1) in models:
                offenders.append(f"{relative}: {match.group(0)}")
    assert offenders == []
    assert {"Plan", "Leg", "Party", "LogEntry", "Incident"} <= models
