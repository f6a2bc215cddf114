"""Benchmark: what a list's deep pages cost, by page number (each skips the rows before it) and by cursor
(`after`: the page starts where the last one ended), on the 100,000-plan service of bench/coldstart.py
(≈ 1M statements), on SQLite or PostgreSQL. In process (Django's test client, no server): CPU ms per request
(the process's: on PostgreSQL the database's own work is in its backend, so wall ms are printed too), p50 and
p95 over repeated requests, beside the same process's answer of the trust file (the floor of any request).

    .venv/bin/python bench/deep_pages.py               # builds the 1M fixture the first time (~5 min), then reuses it
    .venv/bin/python bench/deep_pages.py --plans 10000 # ≈ 100k statements
    .venv/bin/python bench/deep_pages.py --database postgresql   # bench/scale.py's PostgreSQL build of that size
                                                                 # (built once and kept, as scale.py keeps it)
"""

from __future__ import annotations

import argparse
import json

from coldstart import fixture

MEASURE = r'''
import json, statistics, time
from django.test import Client
from corridor.service.exports import tables
from corridor.service.passages.models import Plan
try:
    from corridor.service.api import paging
    from corridor.service.api.keyset import cursor_of
except ImportError:  # code from before cursors: page numbers only
    paging = None

SIZE, REPEAT = 50, REPEAT_HERE
client = Client()

def cpu_ms(path):
    times, walls, status = [], [], None
    for _ in range(REPEAT):
        started, wall = time.process_time(), time.perf_counter()
        status = client.get(path).status_code
        times.append((time.process_time() - started) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    times.sort()
    return {"status": status, "p50": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1],
            "wall": statistics.median(walls)}

lists = {"plans": (tables.plans_query(), "PLANS"), "legs": (tables.legs_query(), "LEGS"),
         "lines": (tables.lines_query(), "LINES"), "waiting": (tables.waiting_query(), "WAITING")}
results = {"floor": cpu_ms("/log/trust.txt")}
for name, (query, keys) in lists.items():
    total = query.order_by().count()
    last = (total + SIZE - 1) // SIZE
    results[name] = {"rows": total, "first": cpu_ms(f"/api/v1/{name}?page_size={SIZE}"),
                     "page 200": cpu_ms(f"/api/v1/{name}?page_size={SIZE}&page=200"),
                     "last by number": cpu_ms(f"/api/v1/{name}?page_size={SIZE}&page={last}")}
    if paging is not None:
        before_last = query[max(total - SIZE - 1, 0)]  # setup, not timed: the row before the last page
        cursor = cursor_of(getattr(paging, keys), before_last)
        results[name]["last by cursor"] = cpu_ms(f"/api/v1/{name}?page_size={SIZE}&after={cursor}")
print(json.dumps(results))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    if args.database == "sqlite":
        found = fixture(args.plans)
        service, entries = found, found.entries
    else:
        from scale import Built  # its PostgreSQL database of this size, built once and kept

        built = Built(args.plans, "postgresql")
        service, entries = built.service, built.facts["size"]
        service.corridor("migrate")  # new indexes reach the kept database
    results = json.loads(service.python(MEASURE.replace("REPEAT_HERE", str(args.repeat))))
    floor = results.pop("floor")
    print(f"{args.database}, {entries:,} log entries; CPU ms per request in process, p50 / p95 of {args.repeat}; "
          f"floor (GET /log/trust.txt, same process): {floor['p50']:.2f} / {floor['p95']:.2f} ms")
    for name, pages in results.items():
        rows = pages.pop("rows")
        for page, figure in pages.items():
            print(f"  /api/v1/{name:8} {rows:>9,} rows  {page:15} {figure['status']}  {figure['p50']:9.2f} / "
                  f"{figure['p95']:9.2f} ms CPU  = {figure['p50'] / floor['p50']:8.1f} x floor   "
                  f"(wall p50 {figure['wall']:9.2f} ms)")


if __name__ == "__main__":
    main()
