"""Benchmark: a party's own reads at each log size, in process (Django's test client, no HTTP), wall and CPU
time per request: the API's plans filtered by the party, a plan's detail as its party and as anyone, the plan
page as its party and as anyone, beside the trust file (the floor). CPU time includes SQLite's (it runs in
the process), so on a loaded machine it moves far less than wall time. Reads the data bench/scale.py built
(SQLite, kept under /tmp/reads/):

    .venv/bin/python bench/scale.py --plans 1000 100000 --only build
    .venv/bin/python bench/party_reads.py --plans 1000 100000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

CACHE = Path(os.environ.get("CORRIDOR_BENCH_CACHE", "/tmp/reads"))
ROOT = Path(__file__).resolve().parents[1]


def measure(facts: dict, n: int) -> dict[str, list[float]]:
    """In a process set up on one size: (p50 wall, p95 wall, p50 CPU, p95 CPU) in ms per read."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    plan = facts["plan"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {facts['tokens']['recv-1']}")
    browser = Client()
    browser.force_login(get_user_model().objects.get(username="recv-officer"))
    anonymous = Client()
    reads = [("floor: /log/trust.txt", anonymous, "/log/trust.txt"),
             ("api plans, party filter (its token)", api, "/api/v1/plans?party=recv-1"),
             ("api plan detail (its party)", api, f"/api/v1/plans/{plan}"),
             ("api plan detail (anonymous)", anonymous, f"/api/v1/plans/{plan}"),
             ("plan page (its party)", browser, f"/plans/{plan}"),
             ("plan page (anonymous)", anonymous, f"/plans/{plan}")]
    if os.environ.get("PARTY_READS_MORE"):  # the reads bench/scale.py's loaded runs showed moving most
        middle = facts["size"] // 2
        reads += [("api waiting now, one party", anonymous, "/api/v1/waiting?now=true&party=recv-1"),
                  ("api me", api, "/api/v1/me"), ("api plans", anonymous, "/api/v1/plans"),
                  ("api plans, page 15", anonymous, "/api/v1/plans?page=15"),
                  ("api stats", anonymous, "/api/v1/stats"),
                  ("log page, one statement", anonymous, f"/transparency/log?index={middle}"),
                  ("party home /home", browser, "/home")]
    results = {}
    for name, client, path in reads:
        if client.get(path).status_code != 200:  # warm-up: the fold restored from its snapshot once
            raise RuntimeError(f"GET {path} failed")
        walls, cpus = [], []
        for _ in range(n):
            wall, cpu = time.perf_counter(), time.process_time()
            status = client.get(path).status_code
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}")
        walls.sort()
        cpus.sort()
        p95 = min(n - 1, int(n * 0.95))
        results[name] = [x * 1000 for x in (walls[n // 2], walls[p95], cpus[n // 2], cpus[p95])]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a size, measured in this process
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(json.loads((CACHE / f"plans-{args.one}" / "built.json").read_text()),
                                 args.requests)))
        return
    sizes, results = [], []
    for plans in sorted(args.plans):
        data = CACHE / f"plans-{plans}" / "data-sqlite"
        env = {**os.environ, "CORRIDOR_DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'corridor.sqlite3'}",
               "CORRIDOR_ALLOWED_HOSTS": "testserver", "DJANGO_SETTINGS_MODULE": "corridor.service.settings"}
        done = subprocess.run([sys.executable, __file__, "--one", str(plans), "--requests", str(args.requests)],
                              env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        sizes.append(json.loads((CACHE / f"plans-{plans}" / "built.json").read_text())["statements"])
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"in process, {args.requests} requests each after one warm-up; ms p50/p95 wall, p50 CPU; "
          f"ratio = largest / smallest of the p50 CPU")
    print(f"{'read':38}" + "".join(f"{s:>26,}" for s in sizes) + "   CPU ratio")
    for name in results[0]:
        cells = "".join(f"{r[name][0]:8.1f} /{r[name][1]:7.1f} /{r[name][2]:6.1f}" for r in results)
        print(f"{name:38}{cells}   {results[-1][name][2] / results[0][name][2]:8.2f}")
    print(f"({os.cpu_count()} cores, shared: compare the CPU column and the floor)")


if __name__ == "__main__":
    sys.exit(main())
