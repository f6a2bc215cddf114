"""Benchmark: lists filtered by a value few rows have, or none (the legs of one phase or route, the plans of one
linkage), on the generated service of bench/coldstart.py: CPU ms per request in process (Django's test client),
p50 and p95, beside the same process's answer of the trust file (the floor of any request). A filter no row
matches is the worst case for a list that walks the plans newest first to fill its page: it reads them all.

    .venv/bin/python bench/rare_filters.py --plans 10000      # ≈ 100k statements (builds the fixture once)
    .venv/bin/python bench/rare_filters.py --plans 100000     # ≈ 1M statements
    PYTHONPATH=<another checkout>/src .venv/bin/python bench/rare_filters.py --plans 10000   # that code's reads,
                                                              # on the same (migrated) database
"""

from __future__ import annotations

import argparse
import json

from coldstart import fixture

MEASURE = r'''
import json, statistics, time
from django.db.models import Count
from django.test import Client
from corridor.service.passages.models import Leg, Plan

REPEAT = REPEAT_HERE
client = Client()

def cpu_ms(path):
    times, status = [], None
    for _ in range(REPEAT):
        started = time.process_time()
        status = client.get(path).status_code
        times.append((time.process_time() - started) * 1000)
    times.sort()
    return {"status": status, "p50": statistics.median(times), "p95": times[max(int(len(times) * 0.95) - 1, 0)]}

def counted(query, field):
    return {row[field]: row["n"] for row in query.values(field).annotate(n=Count("pk")).order_by()}

phases, routes = counted(Leg.objects, "phase"), counted(Leg.objects, "route_id")
linkages = counted(Plan.objects, "linkage")
fewest_phase = min(phases, key=phases.get)
paths = {f"legs, phase {fewest_phase} ({phases[fewest_phase]:,} legs)": f"/api/v1/legs?phase={fewest_phase}",
         "legs, phase held (none)": "/api/v1/legs?phase=held" if "held" not in phases else None,
         "legs, a route no leg took": "/api/v1/legs?route=no-such-route",
         f"legs, route {min(routes, key=routes.get)} ({min(routes.values()):,} legs)":
             f"/api/v1/legs?route={min(routes, key=routes.get)}",
         f"plans, linkage simultaneous ({linkages.get('simultaneous', 0):,})": "/api/v1/plans?linkage=simultaneous",
         "legs, all": "/api/v1/legs"}
results = {"floor": cpu_ms("/log/trust.txt"), "legs": Leg.objects.count()}
for name, path in paths.items():
    if path:
        results[name] = cpu_ms(path + ("&" if "?" in path else "?") + "page_size=50")
# the worst case of a walk: one leg matches, the oldest plan's. The fixture has none such, so for this one
# measurement the oldest leg's phase reads "held", in a transaction rolled back after: the requests run on this
# thread's connection and see it; the kept fixture never does, even if the bench is stopped midway
from django.db import transaction
with transaction.atomic():
    oldest = Leg.objects.order_by("plan__submitted_at", "plan_id", "leg_id").values_list("pk", flat=True)[0]
    Leg.objects.filter(pk=oldest).update(phase="held")
    results["legs, phase held (the oldest plan's leg only)"] = cpu_ms("/api/v1/legs?phase=held&page_size=50")
    transaction.set_rollback(True)
print(json.dumps(results))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    service = fixture(args.plans)
    results = json.loads(service.python(MEASURE.replace("REPEAT_HERE", str(args.repeat))))
    floor, legs = results.pop("floor"), results.pop("legs")
    print(f"sqlite, {service.entries:,} log entries, {legs:,} legs; CPU ms per request in process, p50 / p95 of "
          f"{args.repeat}; floor (GET /log/trust.txt, same process): {floor['p50']:.2f} / {floor['p95']:.2f} ms")
    for name, figure in results.items():
        print(f"  {name:45} {figure['status']}  {figure['p50']:9.2f} / {figure['p95']:9.2f} ms CPU  "
              f"= {figure['p50'] / floor['p50']:8.1f} x floor")


if __name__ == "__main__":
    main()
