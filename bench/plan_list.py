"""Benchmark of the plans list (/plans) at 100,000 plans: p50/p95 of the page as the public, a border officer
(a party asked about nearly every plan) and a requester see it, for each filter and a deep page, with the
SQL queries each answer made. Printed beside two primitives measured in the same run: the raw SQL that reads
one page of ids off the (submitted_at, id) index, and the same process's answer for the smallest page it
serves (the sign-in page: Django, middleware and a template, no data).

The read models are generated straight into the tables (plans, legs, positions, clocks: the rows a rebuild
of a log of that size writes, with a realistic mix of routes, parties and statuses), not folded from a log:
the list reads only these tables, and building them this way takes seconds instead of the log's minutes.
Kept under /tmp/plan-list-bench/ and reused (delete it for a new one).

    .venv/bin/python bench/plan_list.py                      # 100,000 plans, SQLite
    .venv/bin/python bench/plan_list.py --plans 10000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/corridor_bench .venv/bin/python bench/plan_list.py
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

CACHE = Path(os.environ.get("CORRIDOR_BENCH_CACHE", "/tmp/plan-list-bench"))  # v2: open plans are recent
REQUESTS = 40
SEED = 13
ORGS = [f"org-{n:02d}" for n in range(1, 41)]
RECEIVERS = [f"recv-{n}" for n in range(1, 6)]
# routes: (id, name, [(party, capacity)]); the border and customs are asked about most of them
ROUTES = [(f"road-{n}", f"Road {n}", [("border", "border_control"), ("customs", "customs"),
                                      (RECEIVERS[n % 5], "receiving_security")]
           + ([("escort", "escort")] if n % 2 else [])) for n in range(1, 9)]
# a plan older than a month is over (as on a real operation's log); the last month's are mostly still open
CLOSED = ["completed"] * 80 + ["cancelled"] * 7 + ["refused"] * 5 + ["expired"] * 5 + ["aborted"] * 3
RECENT = ["awaiting_consent"] * 40 + ["submitted"] * 10 + ["cleared"] * 15 + ["scheduled"] * 15 + \
    ["in_progress"] * 10 + ["completed"] * 10
OPEN = {"submitted", "awaiting_consent", "cleared", "scheduled", "in_progress"}
OPEN_FOR = timedelta(days=30)


def setup(plans: int) -> str:
    """Django on the benchmark's database; returns a description of it."""
    workdir = CACHE / f"plans-{plans}"
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("CORRIDOR_DATA_DIR", str(workdir))
    os.environ["CORRIDOR_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.service.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    return f"{connection.vendor} ({os.environ.get('DATABASE_URL') or 'SQLite in ' + str(workdir)})"


def generate(plans: int) -> None:
    """The read-model rows of `plans` plans, once (skipped when the database holds them already)."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from corridor.service.parties.models import Membership, Party, Route
    from corridor.service.passages.models import Clock, Leg, Plan, Position

    if Plan.objects.count() >= plans:
        return
    started = time.perf_counter()
    rng = random.Random(SEED)
    epoch = datetime(2023, 1, 1, tzinfo=UTC)
    with transaction.atomic():
        Plan.objects.all().delete()
        parties = [(p, p.replace("-", " ").title(), "humanitarian") for p in ORGS] + \
            [("border", "Border service", "authority"), ("customs", "Customs service", "authority"),
             ("escort", "Escort", "escort"), ("mediator", "Mediators", "observer")] + \
            [(p, f"Receiving authority {p[-1]}", "authority") for p in RECEIVERS]
        for pid, name, kind in parties:
            Party.objects.update_or_create(pk=pid, defaults={"name": name, "kind": kind, "registered_at": epoch})
        for rid, name, _policy in ROUTES:
            Route.objects.update_or_create(pk=rid, defaults={"name": name, "definition": {}, "defined_at": epoch})
        for username, party in (("border-officer", "border"), ("org-officer", "org-07")):
            user, _ = User.objects.get_or_create(username=username)
            Membership.objects.get_or_create(user=user, party_id=party, defaults={"role": "officer"})
    batch, last = 5000, epoch + timedelta(seconds=plans * 900)
    for start in range(0, plans, batch):
        rows, legs, positions, clocks = [], [], [], []
        for n in range(start, min(start + batch, plans)):
            plan_id = f"plan-{n:06d}"
            at = epoch + timedelta(seconds=n * 900 + rng.randrange(600))  # 100,000 plans over ~3 years
            status = rng.choice(RECENT if last - at < OPEN_FOR else CLOSED)
            rows.append(Plan(id=plan_id, requester_id=rng.choice(ORGS), linkage="independent", status=status,
                             version="0" * 64, tolerance_seconds=900, submitted_at=at, updated_at=at,
                             weight_kg=rng.randrange(1000, 60000), vehicles=rng.randrange(1, 25)))
            required = {}
            for leg_n in range(rng.choice((1, 1, 1, 2, 3))):
                route_id, _, policy = rng.choice(ROUTES)
                legs.append(Leg(plan_id=plan_id, leg_id=f"leg-{leg_n + 1}", route_id=route_id, direction="forward",
                                phase="delivered" if status == "completed" else "planned"))
                for party, capacity in policy:
                    required.setdefault(party, set()).add(capacity)
            for party, capacities in required.items():
                waiting = status in OPEN and rng.random() < 0.5
                positions.append(Position(plan_id=plan_id, party_id=party, capacities=sorted(capacities),
                                          stance="pending" if waiting else "consented", at=at))
                clocks.append(Clock(plan_id=plan_id, party_id=party, waited_seconds=rng.randrange(86400),
                                    waiting_since=at if waiting else None))
        with transaction.atomic():
            Plan.objects.bulk_create(rows)
            Leg.objects.bulk_create(legs)
            Position.objects.bulk_create(positions)
            Clock.objects.bulk_create(clocks)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"generated {plans:,} plans in {time.perf_counter() - started:.0f} s")


def timed(client, path: str, n: int = REQUESTS) -> tuple[float, float, int]:
    """p50, p95 (ms) of n requests, and the SQL queries one of them made."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm, and a request first empties the query log (request_started)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    queries = len(captured)  # now: the captured list is read off the connection's log, which requests empty
    times = []
    for _ in range(n):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], queries


def raw_page(n: int = REQUESTS) -> tuple[float, float]:
    """The primitive: one page of ids read off the index by raw SQL (no Django, no template)."""
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(n + 1):
            started = time.perf_counter()
            cursor.execute("SELECT id, submitted_at FROM plan ORDER BY submitted_at DESC, id LIMIT 51")
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    times = sorted(times[1:])
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def deep_cursor() -> str:
    """The cursor of the plan in the middle of the list: a page 1,000 pages deep."""
    from corridor.service.passages.models import Plan
    from corridor.service.web.plan_list import _cursor_of

    middle = Plan.objects.order_by("-submitted_at", "id")[Plan.objects.count() // 2]
    return _cursor_of(middle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100_000)
    args = parser.parse_args()
    where = setup(args.plans)
    generate(args.plans)
    from urllib.parse import urlencode

    from django.contrib.auth.models import User
    from django.test import Client

    public, border, org = Client(), Client(), Client()
    border.force_login(User.objects.get(username="border-officer"))
    org.force_login(User.objects.get(username="org-officer"))
    cases = [
        ("public, first page", public, {}),
        ("public, 1,000 pages deep", public, {"after": deep_cursor()}),
        ("public, status=awaiting_consent", public, {"status": "awaiting_consent"}),
        ("public, route=road-3", public, {"route": "road-3"}),
        ("public, requester=org-07", public, {"requester": "org-07"}),
        ("public, party=recv-2", public, {"party": "recv-2"}),
        ("public, waiting on recv-2", public, {"waiting_on": "recv-2"}),
        ("public, submitted in March 2024", public, {"submitted_from": "2024-03-01", "submitted_to": "2024-03-31"}),
        ("public, plan id begins plan-0123", public, {"q": "plan-0123"}),
        ("public, 4 filters at once", public, {"status": "completed", "route": "road-2", "party": "escort",
                                               "submitted_from": "2024-01-01"}),
        ("border officer, its plans", border, {}),
        ("border officer, waiting on it", border, {"waiting_on": "border"}),
        ("requester org-07, its plans", org, {}),
        ("requester org-07, waiting on customs", org, {"waiting_on": "customs"}),
    ]
    print(f"/plans at {args.plans:,} plans on {where}; {REQUESTS} requests each, in-process (Django test client)")
    floor = timed(public, "/accounts/login/")
    sql = raw_page()
    print(f"{'':42} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, client, params in cases:
        p50, p95, queries = timed(client, "/plans" + ("?" + urlencode(params) if params else ""))
        print(f"{name:42} {p50:8.1f} {p95:8.1f} {queries:8}")
    print(f"{'primitive: sign-in page (no data)':42} {floor[0]:8.1f} {floor[1]:8.1f} {floor[2]:8}")
    print(f"{'primitive: raw SQL, one page of ids':42} {sql[0]:8.2f} {sql[1]:8.2f} {1:8}")


if __name__ == "__main__":
    main()
