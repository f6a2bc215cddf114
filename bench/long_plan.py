"""Benchmark: does a plan's page grow with the plan? One plan filled with notes (as any of its parties can),
its API detail, its page (anonymous and for one of its parties) and a page of GET /plans/{id}/timeline timed at
each length, p50/p95 of CPU time in the process (the WSGI application called directly, so the load generator
costs nothing), beside the same reads of a plan of a few statements measured in the same run (the floor).

    .venv/bin/python bench/long_plan.py                       # 10 / 1,000 / 10,000 statements, SQLite
    .venv/bin/python bench/long_plan.py --lengths 10 300      # quicker
    CORRIDOR_BENCH_POSTGRES=... .venv/bin/python bench/long_plan.py --database postgresql
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from service import PARTIES, Service  # bench/service.py: a migrated, seeded service in a fresh data directory

PLAN = {"legs": [{"id": "leg-a", "route": "road-a", "lines": [
    {"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 20, "unit": "t", "weight_kg": 20000}],
    "vehicles": [{"id": "t1", "plate": "AB 1", "type": "truck"}]}]}


class InProcess:
    """The service's WSGI application, called in this process with a token or a session cookie."""

    def __init__(self, service: Service) -> None:
        os.environ.update(service.env, DJANGO_SETTINGS_MODULE="corridor.service.settings")
        from corridor.service.wsgi import application

        self.application, self.tokens = application, service.tokens

    def call(self, method: str, path: str, party: str = "", body: bytes = b"", query: str = "") -> tuple[str, bytes]:
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
                   "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "wsgi.input": io.BytesIO(body),
                   "wsgi.url_scheme": "http", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.errors": sys.stderr,
                   "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0)}
        if party:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {self.tokens[party]}"
        if body:
            environ.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)))
        status = []
        answer = b"".join(self.application(environ, lambda s, headers, error=None: status.append(s)))
        return status[0], answer

    def post(self, path: str, party: str, body: dict) -> None:
        status, answer = self.call("POST", path, party, json.dumps(body).encode())
        if not status.startswith("201"):
            raise RuntimeError(f"{path}: {status} {answer[:300]!r}")


def reads(plan: str) -> dict[str, tuple[str, str, str]]:
    return {"API detail": (f"/api/v1/plans/{plan}", "", ""),
            "API timeline, a page": (f"/api/v1/plans/{plan}/timeline", "", ""),
            "plan page, anonymous": (f"/plans/{plan}", "", ""),
            "API detail, its party": (f"/api/v1/plans/{plan}", "org-a", "")}


def timed(app: InProcess, path: str, party: str, query: str, repeat: int) -> tuple[float, float, int] | None:
    """p50 and p95 of CPU time (ms) over `repeat` calls after one warm-up, and the answer's size; None for a read
    this version does not serve (404: to measure an older version beside this one)."""
    status, answer = app.call("GET", path, party, query=query)
    if status.startswith("404"):
        return None
    if not status.startswith("200"):
        raise RuntimeError(f"{path}: {status}")
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        app.call("GET", path, party, query=query)
        samples.append((time.process_time() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], len(answer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[10, 1000, 10000],
                        help="statements of the long plan at each measurement")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = InProcess(Service(args.database, Path(tmp)))
        for plan in ("short", "long"):
            app.post("/api/v1/plans", "org-a", {"plan": plan, **PLAN})
        for n in range(4):
            app.post("/api/v1/plans/short/note", PARTIES[n % len(PARTIES)], {"sha256": f"{n:064x}"})
        floor = {name: found for name, read in reads("short").items()
                 if (found := timed(app, *read, args.repeat)) is not None}
        print(f"{args.database}; the floor, the same reads of a plan of 5 statements: " + "; ".join(
            f"{name} p50 {p50:.2f} / p95 {p95:.2f} ms CPU" for name, (p50, p95, _) in floor.items()))
        written = 1
        for length in sorted(args.lengths):
            while written < length:
                written += 1
                app.post("/api/v1/plans/long/note", PARTIES[written % len(PARTIES)], {"sha256": f"{written:064x}"})
            for name, read in reads("long").items():
                if name not in floor:
                    continue
                p50, p95, size = timed(app, *read, args.repeat)
                print(f"{length:>7,} statements  {name:<24} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  {size:>9,} bytes"
                      f"  = {p95 / floor[name][1]:5.2f} x the floor's p95")


if __name__ == "__main__":
    main()
