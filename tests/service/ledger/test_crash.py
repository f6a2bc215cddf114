"""A process killed (SIGKILL) while recording loses no acknowledged statement and never leaves the log and
the read models disagreeing: every acknowledged index is in the log, every entry has its index row, and
the read models equal a rebuild from the log."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from corridor.service.ledger.models import LogEntry, StatementIndex
from corridor.service.ledger.rebuild import rebuild
from corridor.service.ledger.record import record_as

from ..plans import plan_body
from .test_concurrency import database_url
from .test_rebuild import dump

pytestmark = pytest.mark.django_db(transaction=True)
KILLS = 6

RECORDER = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.service_settings"
import django
django.setup()
from corridor.service.ledger.record import record_as
n = 0
while True:
    n += 1
    recorded = record_as(sys.argv[1], "plan.note", {"sha256": f"{os.getpid():032x}{n:032x}"}, plan="p1")
    print(recorded.index, flush=True)  # acknowledged: the transaction has committed
"""


def test_sigkill_while_recording_loses_nothing_acknowledged(parties):
    record_as("org-a", "plan.submit", {k: v for k, v in plan_body().items() if k != "plan"}, plan="p1")
    env = {**os.environ, "DATABASE_URL": database_url(), "PYTHONPATH": os.getcwd()}
    rng, acknowledged = random.Random(7), []
    for kill in range(KILLS):
        party = ("border", "customs", "org-a")[kill % 3]
        process = subprocess.Popen([sys.executable, "-c", RECORDER, party], env=env, stdout=subprocess.PIPE)
        first = process.stdout.readline()  # started, however long that took on a busy machine: one acknowledged
        time.sleep(rng.random())  # then a random moment mid-stream
        process.send_signal(signal.SIGKILL)
        output, _ = process.communicate()
        acknowledged += [int(line) for line in (first + output).split()]
    assert len(acknowledged) > KILLS
    in_log = set(LogEntry.objects.values_list("idx", flat=True))
    assert set(acknowledged) <= in_log
    assert sorted(in_log) == list(range(len(in_log)))
    assert StatementIndex.objects.count() == len(in_log)
    before = dump()
    rebuild()
    assert dump() == before
