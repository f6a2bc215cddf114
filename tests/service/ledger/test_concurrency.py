"""Several processes record at once (as the web server's workers do): each catches up with the others' entries
under the writer lock, so the log stays contiguous, every party's numbers stay in order, and the read
models agree with a rebuild."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection

from corridor.service.ledger.models import LogEntry, StatementIndex
from corridor.service.ledger.rebuild import rebuild
from corridor.service.ledger.record import record_as

from ..plans import plan_body
from .test_rebuild import dump

pytestmark = pytest.mark.django_db(transaction=True)
NOTES = 40

WORKER = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.service_settings"
import django
django.setup()
from corridor.service.ledger.record import record_as
for n in range(int(sys.argv[2])):
    record_as(sys.argv[1], "plan.note", {"sha256": f"{n:064x}", "title": f"note {n}"}, plan="p1")
"""


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgresql://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/" \
           f"{settings['NAME']}"


def test_processes_recording_at_once_keep_one_contiguous_log(parties):
    record_as("org-a", "plan.submit", {k: v for k, v in plan_body().items() if k != "plan"}, plan="p1")
    env = {**os.environ, "DATABASE_URL": database_url(), "PYTHONPATH": os.getcwd()}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, party, str(NOTES)], env=env, stderr=subprocess.PIPE)
               for party in ("org-a", "border", "customs")]
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()[-2000:]
    indexes = list(LogEntry.objects.order_by("idx").values_list("idx", flat=True))
    assert indexes == list(range(len(indexes)))
    for party, first in (("org-a", 2), ("border", 1), ("customs", 1)):
        assert list(StatementIndex.objects.filter(party=party, type="plan.note").order_by("idx")
                    .values_list("seq", flat=True)) == list(range(first, first + NOTES))
    incremental = dump()
    rebuild()
    assert dump() == incremental
