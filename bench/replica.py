"""Benchmark of the read replica's lag: how long after a commit on the primary a hot standby shows the row,
at steady write rates, beside the primitives of the same run (a round trip to the standby, a durable commit
on the primary).

Starts a durable primary (fsync on) and a `pg_basebackup -R` standby of it (tests/service/standby.py, ports
5434/5433 under /tmp/replica/bench: not while `make test-replica` runs, which takes the same ports), writes
rows of an entry's size (~300 bytes) one commit each at each rate for a few seconds, while a reader polls
the standby for the newest row; each row's lag is the time from its commit returning to the reader first
seeing it.

    .venv/bin/python bench/replica.py [--seconds 5] [--rates 100 500 0]     # 0: as fast as one writer can
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.service.standby import PRIMARY_PORT, STANDBY_PORT, Clusters, Unavailable, server_binaries

PAD = os.urandom(300)


def round_trip_ms(url: str, n: int = 2000) -> float:
    with psycopg.connect(url, autocommit=True) as line:
        times = []
        for _ in range(n):
            started = time.perf_counter()
            line.execute("SELECT 1").fetchone()
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def commit_ms(url: str, n: int = 200) -> float:
    """The median time of one durable single-row commit on the primary (its WAL flushed to disk)."""
    with psycopg.connect(url, autocommit=True) as line:
        line.execute("CREATE TABLE IF NOT EXISTS floor (id bigint PRIMARY KEY, pad bytea NOT NULL)")
        times = []
        for index in range(n):
            started = time.perf_counter()
            line.execute("INSERT INTO floor (id, pad) VALUES (%s, %s)", [index, PAD])
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def write(url: str, rate: float, seconds: float, first_id: int, committed: dict[int, float]) -> None:
    with psycopg.connect(url, autocommit=True) as line:
        started, index = time.perf_counter(), 0
        while (now := time.perf_counter()) - started < seconds:
            if rate and now < started + index / rate:
                time.sleep(min(0.001, started + index / rate - now))
                continue
            line.execute("INSERT INTO probe (id, pad) VALUES (%s, %s)", [first_id + index, PAD])
            committed[first_id + index] = time.perf_counter()
            index += 1


def watch(url: str, stop: threading.Event, seen: dict[int, float], first_id: int) -> None:
    with psycopg.connect(url, autocommit=True) as line:
        newest = first_id - 1
        while not stop.is_set():
            top = line.execute("SELECT coalesce(max(id), -1) FROM probe").fetchone()[0]
            now = time.perf_counter()
            for row in range(newest + 1, top + 1):
                seen[row] = now
            newest = max(newest, top)


def lag_at(primary: str, standby: str, rate: float, seconds: float, first_id: int) -> tuple[int, list[float]]:
    committed: dict[int, float] = {}
    seen: dict[int, float] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(standby, stop, seen, first_id))
    watcher.start()
    write(primary, rate, seconds, first_id, committed)
    deadline = time.perf_counter() + 10
    while not set(committed) <= set(seen) and time.perf_counter() < deadline:
        time.sleep(0.01)
    stop.set()
    watcher.join()
    missing = [row for row in committed if row not in seen]
    if missing:
        raise RuntimeError(f"{len(missing)} rows never reached the standby within 10 s")
    return len(committed), sorted(max(0.0, seen[row] - committed[row]) * 1000 for row in committed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rates", type=float, nargs="+", default=[100, 500, 0])
    args = parser.parse_args()
    try:
        clusters = Clusters(server_binaries(), Path("/tmp/replica/bench"), durable=True)
    except Unavailable as why:
        print(f"bench/replica.py: {why}")
        return 1
    try:
        clusters.start()
        primary, standby = clusters.url(PRIMARY_PORT), clusters.url(STANDBY_PORT)
        with psycopg.connect(primary, autocommit=True) as line:
            line.execute("CREATE TABLE probe (id bigint PRIMARY KEY, pad bytea NOT NULL)")
        commit = commit_ms(primary)
        print(f"primitives: round trip to the standby {round_trip_ms(standby):.3f} ms (median of 2,000 SELECT 1); "
              f"one durable commit on the primary {commit:.2f} ms (median of 200)")
        first_id = 0
        for rate in args.rates:
            rows, lags = lag_at(primary, standby, rate, args.seconds, first_id)
            first_id += rows
            label = f"{rate:,.0f}/s" if rate else "as fast as one writer commits"
            p50, p99 = lags[len(lags) // 2], lags[min(len(lags) - 1, int(len(lags) * 0.99))]
            print(f"commit -> visible on the standby, {label:>30}: {rows / args.seconds:7,.0f} commits/s  "
                  f"lag p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  max {lags[-1]:6.2f} ms  ({rows:,} rows; "
                  f"p50 = {p50 / commit:.1f} x one durable commit)")
    finally:
        clusters.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
