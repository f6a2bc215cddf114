"""Benchmark: the checkpoint app's legs (data.json, web/checkpoint_app.py `_legs`) with N plans in the fold
that are not the user's to see (completed, with their permits), held as a snapshot's are (MappedPlans: a plan
decoded when read): the indexed reads against the scan of every plan they replaced (tests/service/web/
test_checkpoint_app_legs.py keeps it), each beside the same run's primitives: decoding one plan from the map,
and one `SELECT 1`. In process, on the tests' database (SQLite, or PostgreSQL with DATABASE_URL):

    .venv/bin/python -m pytest bench/checkpoint_legs.py -p no:cacheprovider -s            # N = 1,000 and 20,000
    CHECKPOINT_LEGS_PLANS=1000,100000 .venv/bin/python -m pytest bench/checkpoint_legs.py -s
"""

from __future__ import annotations

import io
import os
import statistics
import time

import msgspec
import pytest
from django.db import connection
from tests.service.conftest import fresh_fold, parties, tiles  # noqa: F401 -- the tests' fixtures
from tests.service.web.test_checkpoint_app_legs import DAYS, Clock, cleared, legs_by_scan, road_c, their_checkpoints

from corridor.engine.state import PlanState
from corridor.service import clock
from corridor.service.ledger.record import current_fold
from corridor.service.web import checkpoint_app
from corridor.snapshot_plans import MappedPlans, write_plans

pytestmark = pytest.mark.django_db
SIZES = [int(n) for n in os.environ.get("CHECKPOINT_LEGS_PLANS", "1000,20000").split(",")]
encode, decode = msgspec.msgpack.Encoder().encode, msgspec.msgpack.Decoder(PlanState).decode


def mapped(plans: dict[str, PlanState], others: int) -> MappedPlans:
    """The fold's plans and `others` completed copies of one of them, as a snapshot's plans section."""
    model = next(iter(plans.values()))
    copies = (msgspec.structs.replace(model, id=f"other-{n:07d}", status="completed") for n in range(others))
    out = io.BytesIO()
    count = write_plans(((plan.id, encode(plan)) for plan in [*plans.values(), *copies]), out)
    return MappedPlans(memoryview(out.getvalue()), count)


def median_ms(call, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def test_bench_checkpoint_legs(parties, tiles):  # noqa: F811
    road_c()
    cleared(parties, Clock(), "mine", ("2023-09-12T12:00:00Z", "2023-09-12T13:00:00Z"))
    state, users = current_fold().state, {"customs"}
    checkpoints, own = their_checkpoints(state, users), dict(state.plans)
    one = encode(own["mine"])
    print(f"\n{connection.vendor}; primitives: decode one plan {median_ms(lambda: decode(one), 1001) * 1000:.1f} µs, "
          f"SELECT 1 {median_ms(select_one, 101) * 1000:.1f} µs")
    for size in SIZES:
        state.plans = mapped(own, size)
        with clock.frozen_at(DAYS[2]):
            indexed = median_ms(lambda: checkpoint_app._legs(state, users, checkpoints))
            state.plans = mapped(own, size)  # as loaded: nothing decoded yet (the scan decodes every plan once)
            scanned = median_ms(lambda: legs_by_scan(state, users, checkpoints), runs=1)
            assert checkpoint_app._legs(state, users, checkpoints) == legs_by_scan(state, users, checkpoints)
        print(f"{size + len(own):>9,} plans: indexed {indexed:8.2f} ms, scan {scanned:9.1f} ms")
    state.plans = own
