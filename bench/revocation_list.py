"""Benchmark: the public revocation list (GET /log/permits/revoked.txt, permits/revocation.py) with N revoked
permits whose validity ended long ago (a long log's history) and the one revoked permit still valid, against
the whole list it replaced (every permit ever revoked), each beside the same run's `SELECT 1`. In process, on
the tests' database (SQLite, or PostgreSQL with DATABASE_URL):

    .venv/bin/python -m pytest bench/revocation_list.py -p no:cacheprovider -s            # N = 1,000 and 50,000
    REVOCATION_LIST_ENDED=1000,200000 .venv/bin/python -m pytest bench/revocation_list.py -p no:cacheprovider -s
"""

from __future__ import annotations

import os

import pytest
from bench.checkpoint_legs import median_ms, select_one
from django.db import connection
from django.test import Client
from tests.service.conftest import parties, tiles  # noqa: F401 -- the tests' fixtures
from tests.service.permits.test_revocation import NOON, ended_revocations, revoked_and_live

from corridor.service import clock
from corridor.service.permits.models import IssuedPermit

pytestmark = pytest.mark.django_db
SIZES = [int(n) for n in os.environ.get("REVOCATION_LIST_ENDED", "1000,50000").split(",")]


def whole_list() -> None:
    """What revoked.txt read before: every permit ever revoked, in the log's order."""
    rows = (IssuedPermit.objects.filter(revoked_index__isnull=False).order_by("revoked_index")
            .values_list("digest", "plan_id", "permit_id", "reason", "revoked_index"))
    "\n".join(f"{digest}  # {plan} {permit} {reason} (log entry {index})"
              for digest, plan, permit, reason, index in rows.iterator())


def test_bench_revocation_list(parties, tiles):  # noqa: F811
    revoked_and_live(parties)
    public, made = Client(), 0
    print(f"\nrevocation list on {connection.vendor}: ms, median of 5")
    for size in SIZES:
        ended_revocations(size - made, first=made)
        made = size
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE issued_permit")
        with clock.frozen_at(NOON):
            lines = len(public.get("/log/permits/revoked.txt").content.splitlines())
            listed = median_ms(lambda: public.get("/log/permits/revoked.txt"))
        print(f"  {size:>8,} ended: revoked.txt {listed:7.2f} ({lines} lines)  whole list {median_ms(whole_list):8.2f}"
              f"  SELECT 1 {median_ms(select_one, 50):.3f}")
