"""Benchmark: do incident claims and disputes make writes or reads grow? Any party may report claims and any
party but the reporter may dispute one as often as it likes. One claim filled with disputes, then many claims:
a dispute's write (CPU in the process, under the writer lock every write waits on) and the public reads (the
incidents page, GET /incidents, GET /incidents/{id}), p50/p95 of CPU time in the process (bench/long_plan.py's
way), beside the same measured with one claim of one dispute in the same run (the floor).

    .venv/bin/python bench/incidents.py                          # 1,000 and 3,000 disputes; 1,000 claims
    .venv/bin/python bench/incidents.py --disputes 300 --claims 200
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from long_plan import InProcess, timed
from service import Service

READS = {"incidents page": "/incidents", "API incidents": "/api/v1/incidents", "API one claim": "/api/v1/incidents/c-0"}


def claim(n: int) -> dict:
    return {"incident": f"c-{n}", "category": "interference", "occurred_from": "2023-09-10T00:00:00Z",
            "place": {"name": f"Place {n}", "lat": "39.8", "lon": "46.7"}, "text": f"GNSS interference {n}"}


def dispute_cpu_ms(app: InProcess, count: int) -> float:
    """CPU time of each of `count` more disputes of claim c-0, median (ms)."""
    samples = []
    for n in range(count):
        started = time.process_time()
        app.post("/api/v1/incidents/c-0/dispute", ("recv", "customs")[n % 2], {"text": f"Not so ({n})"})
        samples.append((time.process_time() - started) * 1000)
    return statistics.median(samples)


def reads(app: InProcess, repeat: int, floor: dict | None = None) -> dict:
    found = {}
    for name, path in READS.items():
        p50, p95, size = timed(app, path, "", "", repeat)
        found[name] = p95
        ratio = f"  = {p95 / floor[name]:6.2f} x the floor's p95" if floor else ""
        print(f"    {name:<16} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms  {size:>10,} bytes{ratio}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = InProcess(Service("sqlite", Path(tmp)))
        app.post("/api/v1/incidents", "border", claim(0))
        first = dispute_cpu_ms(app, 3)
        print(f"sqlite; the floor, one claim of three disputes: a dispute's write {first:.2f} ms CPU (median)")
        floor = reads(app, args.repeat)
        written = 3
        for target in sorted(args.disputes):
            cost = dispute_cpu_ms(app, target - written - 10) if target - written > 10 else 0.0
            last = dispute_cpu_ms(app, 10)
            written = target
            print(f"{target:>7,} disputes of one claim: a dispute's write {last:.2f} ms CPU (median of the last 10;"
                  f" {cost:.2f} ms over the ones before) = {last / first:.2f} x the first's")
            reads(app, args.repeat, floor)
        for n in range(1, args.claims):
            app.post("/api/v1/incidents", "border", claim(n))
        print(f"{args.claims:>7,} claims (one of them with {written:,} disputes):")
        reads(app, args.repeat, floor)


if __name__ == "__main__":
    main()
