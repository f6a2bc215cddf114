"""Benchmark: does a read grow with the log? Every public and party endpoint, p50/p95 over repeated requests,
served by the web server of `corridor serve` (2 processes, one request at a time each) on SQLite at several
log sizes (bench/engine_fold.py's mix, signed, loaded and rebuilt into read models, then one `corridor worker
--once` to publish a checkpoint and the figures). Prints each endpoint's p95 at every size, the ratio
largest/smallest, and the same server's smallest answer (the trust file) as the floor. Also: append →
published checkpoint latency inside the service at the largest size, beside the raw durable append rate and
Ed25519 signing rate measured in the same run.

The data of each size is built once and kept under /tmp/reads/ (a 1M build takes minutes); on PostgreSQL
(`--database postgresql`, reads only) in a database of each size, CORRIDOR_BENCH_DATABASE_<plans>, kept too:

    .venv/bin/python bench/scale.py                          # 1,000 / 10,000 / 100,000 plans ≈ 10k / 100k / 1M
    .venv/bin/python bench/scale.py --plans 100 1000         # quicker (≈ 1k / 10k statements)
    .venv/bin/python bench/scale.py --plans 1000 --only build
    .venv/bin/python bench/scale.py --plans 1000 10000 --only reads --database postgresql
    .venv/bin/python bench/scale.py --coldstart-fixture 1000000   # checkpoints at ≈ 10M (bench/coldstart.py's)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from engine_fold import generate
from service import _LOAD_STATEMENTS, BENCH_DATABASE, POSTGRES, PYTHON, ROOT, Service, raw_appends_per_second
from web import session_cookie

CACHE = Path(os.environ.get("CORRIDOR_BENCH_CACHE", "/tmp/reads"))
REQUESTS = 60
PASSWORD = "bench-password-1"
PARTY_USERS = (("recv-officer", "recv-1"), ("org-officer", "org-01"))


# -- data of one size, built once -----------------------------------------------------------------------

class Built:
    """A data directory and SQLite database holding N plans' statements, read models rebuilt, figures
    published; reused from the cache when a previous run built it (migrations run again: cheap, and new
    indexes reach the cached database)."""

    def __init__(self, plans: int, kind: str = "sqlite") -> None:
        self.plans, self.kind = plans, kind
        self.workdir = CACHE / (f"plans-{plans}" if kind == "sqlite" else f"plans-{plans}-{kind}")
        self.done = self.workdir / "built.json"
        if not self.done.exists():
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir.mkdir(parents=True)
        database = None
        if kind == "postgresql":  # a database of its own per size, kept like the directory
            name = f"{BENCH_DATABASE}_{plans}"
            if not self.done.exists():
                with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {name}")
                    admin.execute(f"CREATE DATABASE {name}")
            database = f"{POSTGRES}/{name}"
        self.service = Service(kind, self.workdir, seed=False, database=database)
        if not self.done.exists():
            self._build()
        self.facts = json.loads(self.done.read_text())

    @property
    def data_directory(self) -> Path:
        return self.workdir / "data-sqlite"

    def _build(self) -> None:
        started = time.perf_counter()
        statements = self.workdir / "statements.jsonl"
        count = generate(self.plans, statements)
        self.service.python(_LOAD_STATEMENTS.replace("STATEMENTS", repr(str(statements))))
        statements.unlink()
        self.service.corridor("rebuild")
        tokens = {}
        for username, party in PARTY_USERS:
            out = self.service.corridor("createuser", username, "--party", party, "--password", PASSWORD)
            tokens[party] = re.search(r"API token \(shown once\): (\S+)", out).group(1)
        self.service.corridor("worker", "--once")  # integrates the log, publishes a checkpoint and the figures
        facts = {"statements": count, "tokens": tokens, "seconds": round(time.perf_counter() - started)}
        facts.update(json.loads(self.service.python(_SAMPLE_IDS)))
        self.done.write_text(json.dumps(facts))


class ColdstartFixture:
    """bench/coldstart.py's generated service (built once, cached) seen as a Built, for the checkpoint
    latency alone: that fixture is the one built at 10M statements (scale.py's own build also times every
    read, which at that size would take hours)."""

    kind = "sqlite"

    def __init__(self, plans: int) -> None:
        import coldstart

        found = coldstart.fixture(plans)
        self.plans, self.data_directory = plans, found.data
        self.service = SimpleNamespace(env=found.env)
        self.facts = {"size": found.entries}


# A plan of recv-1's in the middle of the log, the log's size: what the per-item endpoints ask for.
_SAMPLE_IDS = """
import json
from corridor.service.ledger.models import LogEntry
from corridor.service.passages.models import Plan
plans = Plan.objects.filter(positions__party_id="recv-1").order_by("id").values_list("id", flat=True)
middle = plans[plans.count() // 2]
print(json.dumps({"plan": middle, "size": LogEntry.objects.count()}))
"""


# -- serving and timing ---------------------------------------------------------------------------------

def serve(built: Built, workers: int = 2) -> subprocess.Popen:
    """The web server as `corridor serve` runs it, one request at a time per process (each request's figure is
    its own, not its neighbours' wait for the fold)."""
    from corridor.commands.service import web_server

    try:
        http.client.HTTPConnection("127.0.0.1", built.port, timeout=0.5).request("GET", "/")
        raise RuntimeError(f"something answers on port {built.port} already: stop it, or set CORRIDOR_BENCH_PORT")
    except OSError:
        pass
    server = subprocess.Popen(web_server(f"127.0.0.1:{built.port}", workers, threads=1), env=built.service.env,
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError("the web server exited")
        try:
            http.client.HTTPConnection("127.0.0.1", built.port, timeout=0.5).request("GET", "/log/trust.txt")
            return server
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the web server did not start")


def get(port: int, path: str, headers: dict) -> tuple[int, float, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, elapsed, len(body)


def warm(port: int, path: str, headers: dict, workers: int) -> None:
    """One request per server process at once (each takes one at a time here): each process computes
    what it keeps (a page that replays the log does so here, once per process)."""
    threads = [threading.Thread(target=get, args=(port, path, headers)) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def timed(port: int, path: str, headers: dict, n: int) -> tuple[float, float, int]:
    """p50, p95 (seconds) of n sequential requests, and the body's size."""
    times, size = [], 0
    for _ in range(n):
        status, elapsed, size = get(port, path, headers)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        times.append(elapsed)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))], size


def endpoints(built: Built, fold_pages: bool) -> list[tuple[str, str, str]]:
    """(name, path, who): every GET a visitor, a party's browser or a party's API client makes, from the
    URL confs (urls.py, api/reads.py). who: "" anonymous, "cookie" signed in (recv-1), "token" recv-1's API
    token, "org" org-01's (a requester with many plans)."""
    plan, size = built.facts["plan"], built.facts["size"]
    middle = size // 2
    pages = [
        ("public page /", "/", ""),
        ("log page", "/transparency/log", ""),
        ("log page, older page", f"/transparency/log?before={middle}", ""),
        ("log page, one statement", f"/transparency/log?index={middle}", ""),
        ("incidents page", "/incidents", ""),
        ("party home /home", "/home", "cookie"),
        ("requester's new-request form", "/plans/new", "cookie-org"),
    ]
    if fold_pages:  # the briefings fold the log's history in each process on its first request (issue 12: left)
        pages += [
            ("briefings page (default period)", "/briefings/", ""),
            ("briefing json (a week)", "/briefings/briefing.json?from=2024-01-10&to=2024-01-16", ""),
        ]
    if fold_pages:  # these read the process's fold: replayed on each process's first request until snapshots
        pages += [
            ("plan page (anonymous)", f"/plans/{plan}", ""),
            ("plan page (its party)", f"/plans/{plan}", "cookie"),
            ("go board", f"/plans/{plan}/go", "cookie"),
            ("checkpoint screen", "/checkpoints/gate-1", "cookie"),
            ("account", "/account", "cookie"),
        ]
    log = [
        ("/log/checkpoint", "/log/checkpoint", ""),
        ("/log/checkpoints", "/log/checkpoints", ""),
        ("/log/entry/N", f"/log/entry/{middle}", ""),
        ("/log/proof/N", f"/log/proof/{middle}", ""),
    ]
    api = [
        ("api plans", "/api/v1/plans", ""),
        ("api plans, page 15", "/api/v1/plans?page=15", ""),
        ("api plans, status filter", "/api/v1/plans?status=completed", ""),
        ("api plans, party filter", "/api/v1/plans?party=recv-1", "token"),
        ("api plans, requester filter", "/api/v1/plans?requester=org-01", "org"),
        ("api plan detail", f"/api/v1/plans/{plan}", ""),
        ("api plan detail (its party)", f"/api/v1/plans/{plan}", "token"),
        ("api legs", "/api/v1/legs", ""),
        ("api legs, plan filter", f"/api/v1/legs?plan={plan}", ""),
        ("api lines", "/api/v1/lines", ""),
        ("api lines, plan filter", f"/api/v1/lines?plan={plan}", ""),
        ("api incidents", "/api/v1/incidents", ""),
        ("api waiting", "/api/v1/waiting", ""),
        ("api waiting now, one party", "/api/v1/waiting?now=true&party=recv-1", ""),
        ("api waiting/board", "/api/v1/waiting/board", ""),
        ("api stats", "/api/v1/stats", ""),
        ("api attestations", "/api/v1/attestations", ""),
        ("api export summary.json", "/api/v1/export/summary.json", ""),
        ("api me", "/api/v1/me", "token"),
    ]
    return pages + log + api


def measure(built: Built, fold_pages: bool, n: int) -> dict[str, tuple[float, float, int]]:
    built.port = int(os.environ.get("CORRIDOR_BENCH_PORT", "8140"))
    server = serve(built)
    try:
        cookies = {"cookie": session_cookie(built.service, built.port, "recv-officer", PASSWORD),
                   "cookie-org": session_cookie(built.service, built.port, "org-officer", PASSWORD)}
        headers = {"": {}, "cookie": {"Cookie": cookies["cookie"]}, "cookie-org": {"Cookie": cookies["cookie-org"]},
                   "token": {"Authorization": f"Bearer {built.facts['tokens']['recv-1']}"},
                   "org": {"Authorization": f"Bearer {built.facts['tokens']['org-01']}"}}
        results = {"floor: /log/trust.txt": timed(built.port, "/log/trust.txt", {}, n)}
        for name, path, who in endpoints(built, fold_pages):
            warm(built.port, path, headers[who], 2)
            results[name] = timed(built.port, path, headers[who], n)
            print(f"  {built.facts['statements']:>10,} {name:40} p95 {results[name][1] * 1000:8.1f} ms", flush=True)
        results["floor: /log/trust.txt (after)"] = timed(built.port, "/log/trust.txt", {}, n)
    finally:
        server.terminate()
        server.wait()
    return results


def report(sizes: list[Built], results: list[dict], requests: int) -> None:
    heads = "".join(f"{b.facts['statements']:>12,}" for b in sizes)
    print(f"\n{sizes[0].kind}: p95 in ms at each log size (statements), {requests} sequential requests after one "
          f"warm-up per worker;"
          f" ratio = p95 largest / p95 smallest; floor = the same server's trust file")
    print("ratio/floor: the ratio divided by the floor's own ratio (how much the machine's load moved between "
          "the sizes' runs)")
    print(f"{'endpoint':40}{heads}   ratio  ratio/floor  (p50 at largest, body KB)")
    floors = [r["floor: /log/trust.txt"][1] for r in results]
    for name in results[0]:
        p95s = [r[name][1] * 1000 for r in results if name in r]
        if len(p95s) != len(results):
            continue
        cells = "".join(f"{p:12.1f}" for p in p95s)
        p50, _, size = results[-1][name]
        ratio = p95s[-1] / p95s[0]
        print(f"{name:40}{cells}   {ratio:5.2f}  {ratio / (floors[-1] / floors[0]):11.2f}  "
              f"({p50 * 1000:.1f} ms, {size / 1024:.0f} KB)")


# -- append → published checkpoint, inside the service ---------------------------------------------------

def checkpoint_latency(built: Built, rate: float, seconds: float) -> dict:
    """On a copy of the data (the appended entries stay out of the cached log): `corridor worker` running
    as deployed, a steady stream of entries committed to the log table as `record()` commits them (valid
    operator statements, so the worker's figures fold takes them), each timed from its commit to the first
    published checkpoint covering it. The worker starts cold: its first figures and aggregates are computed
    while the stream runs, which is what must not hold checkpoints back (entries appended before the first
    figures appeared are also reported apart). Then, the worker stopped, one checkpoint pass alone on the same
    log (a few entries integrated and published), and the loop's look for waiting entries: what in the loop
    could grow with the log's size."""
    if built.kind != "sqlite":
        raise SystemExit("append → checkpoint is measured on SQLite (the copy of the data is a directory)")
    copy = CACHE / f"latency-{built.plans}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(built.data_directory, copy / "data-sqlite")
    env = {**built.service.env, "CORRIDOR_DATA_DIR": str(copy / "data-sqlite"),
           "DATABASE_URL": f"sqlite:///{copy / 'data-sqlite' / 'corridor.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "corridor.service.settings"}
    worker = subprocess.Popen([PYTHON, "-c", _WORKER_LOGGING_PASSES], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=open(copy / "worker.log", "w"))  # noqa: SIM115
    try:
        code = (_APPEND + _AND_WATCH).replace("RATE", repr(rate)).replace("SECONDS", repr(seconds)).replace(
            "WORKER_PID", str(worker.pid)).replace("WORKER_LOG", repr(str(copy / "worker.log")))
        result = _run_django(code, env)
        worker.terminate()
        worker.wait()
        return result | _run_django(_APPEND + _PASS_ALONE, env)
    finally:
        if worker.poll() is None:
            worker.terminate()
            worker.wait()
        shutil.rmtree(copy, ignore_errors=True)


def _run_django(code: str, env: dict) -> dict:
    done = subprocess.run([PYTHON, "-c", "import django; django.setup()\n" + code], capture_output=True,
                          text=True, cwd=ROOT, env=env)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


# `corridor worker`, its checkpoint passes logged (start, end, size: ledger/checkpoint_schedule.py)
_WORKER_LOGGING_PASSES = """
import logging, sys
from corridor.cli import main
from corridor.commands import service

def django_setup(setup=service.django_setup):  # Django's logging settings first, then this logger's level
    setup()
    logging.getLogger("corridor.checkpoints").setLevel(logging.DEBUG)

service.django_setup = django_setup
sys.exit(main(["worker"]))
"""

_APPEND = """
import json, os, threading, time, msgspec
from django.db import transaction
from django.db.models import Max
from corridor.engine import Party
from corridor.ledger.envelope import seal
from corridor.ledger.merkle import leaf_hash
from corridor.service.config import CONFIG
from corridor.service.guard import domain_writes
from corridor.service.ledger.keys import OPERATOR, operator_key
from corridor.service.ledger.models import LogEntry, StatementIndex
from corridor.service.ledger.record import _take_writer_lock

key = operator_key()
seq = StatementIndex.objects.filter(party=OPERATOR).aggregate(top=Max("seq"))["top"] or 0
def append(n):
    global seq
    seq += 1
    party = Party(id=f"bench-latency-{seq}", name="latency", kind="observer")
    entry = seal({"type": "party.register", "party": OPERATOR, "seq": seq, "time": "2025-01-01T00:00:00Z",
                  "payload": msgspec.to_builtins(party)}, key)
    with transaction.atomic(), domain_writes():
        _take_writer_lock()
        idx = (LogEntry.objects.aggregate(top=Max("idx"))["top"] or -1) + 1
        LogEntry.objects.create(idx=idx, data=entry, leaf=leaf_hash(entry))
    return idx, time.perf_counter()

def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]
"""

_AND_WATCH = """
checkpoint = CONFIG.tiles_dir / "checkpoint"
seen = []  # (time, published size)
figures_at = []  # when the worker's first figures set appeared
stop = threading.Event()

def published():
    try:
        return int(checkpoint.read_text().split("\\n")[1])
    except (OSError, IndexError, ValueError):
        return 0

def watch():
    last, figures = -1, set(os.listdir(CONFIG.figures_dir)) if CONFIG.figures_dir.is_dir() else set()
    while not stop.is_set():
        size = published()
        if size != last:
            seen.append((time.perf_counter(), size))
            last = size
        if not figures_at and CONFIG.figures_dir.is_dir() and set(os.listdir(CONFIG.figures_dir)) - figures:
            figures_at.append(time.perf_counter())
        time.sleep(0.002)

def cpu_of(pid):  # user + system CPU seconds of a process (all its threads)
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def worker_cpu():  # the worker's process (checkpoints, outbox, snapshots), and its children's (the figures)
    children = open("/proc/WORKER_PID/task/WORKER_PID/children").read().split()  # (a thread before: none)
    return cpu_of(WORKER_PID), sum(cpu_of(child) for child in children)

threading.Thread(target=watch, daemon=True).start()
first, _ = append(0)  # the worker is ready once this one is published
deadline = time.monotonic() + 900
while published() <= first:
    if time.monotonic() > deadline:
        raise SystemExit("the worker published nothing in 900 s")
    time.sleep(0.01)
appended = []
cpu, started = worker_cpu(), time.perf_counter()
for n in range(int(RATE * SECONDS)):
    time.sleep(max(0.0, started + n / RATE - time.perf_counter()))
    appended.append(append(n))
while published() <= appended[-1][0]:
    time.sleep(0.01)
cpu, wall = [b - a for a, b in zip(cpu, worker_cpu())], time.perf_counter() - started
stop.set()
time.sleep(0.01)
seen.append((time.perf_counter(), published()))  # the watcher may have stopped before seeing the last one
waits = [(next(t for t, size in seen if size > idx) - at, at) for idx, at in appended]
latencies = sorted(wait for wait, _ in waits)
during = [t for t, size in seen if started <= t]
gaps = [b - a for a, b in zip(during, during[1:])]
time.sleep(0.3)  # the last pass logs itself just after it published
passes = []  # (start, end, size) of each pass of the worker's, from its log
for line in open(WORKER_LOG):
    if line.startswith("pass ") and not line.rstrip().endswith("None"):
        start, end, size = line.split()[1:]
        passes.append((float(start), float(end), int(size)))
def covering(idx):
    return next(p for p in passes if p[2] > idx)
if passes:  # a worker that logs its passes (not one from before they were logged)
    scheduled = [covering(idx)[0] - at for idx, at in appended]  # commit → start of the pass that covered it
    in_pass = [covering(idx)[1] - covering(idx)[0] for idx, _ in appended]
else:
    scheduled = in_pass = [float("nan")]
cold = [wait for wait, at in waits if not figures_at or at < figures_at[0]]
warm = [wait for wait, at in waits if figures_at and at >= figures_at[0]]
print(json.dumps({"n": len(latencies), "p50": latencies[len(latencies) // 2],
                  "p99": quantile(latencies, 0.99), "max": latencies[-1],
                  "checkpoints": len(during), "min_gap": min(gaps) if gaps else None, "worker_cpu": cpu, "wall": wall,
                  "scheduled": [quantile(scheduled, 0.5), quantile(scheduled, 0.99), max(scheduled)],
                  "in_pass": [quantile(in_pass, 0.5), quantile(in_pass, 0.99), max(in_pass)],
                  "cold": [len(cold), quantile(cold, 0.99) if cold else None],
                  "warm": [len(warm), quantile(warm, 0.99) if warm else None]}))
"""

# a checkpoint pass alone (the worker stopped): 5 entries integrated and published, 60 times; and the look
_PASS_ALONE = """
from corridor.service.ledger.integrator import integrate_now, open_store

store = open_store()
integrate_now(store)
walls, cpus = [], []
for n in range(60):
    for k in range(5):
        append(k)
    wall, cpu = time.perf_counter(), time.process_time()
    integrate_now(store)
    walls.append(time.perf_counter() - wall)
    cpus.append(time.process_time() - cpu)
look_wall, look_cpu = time.perf_counter(), time.process_time()
for _ in range(2000):
    store.sequenced_size()
look_wall, look_cpu = (time.perf_counter() - look_wall) / 2000, (time.process_time() - look_cpu) / 2000
print(json.dumps({"pass_wall": quantile(walls, 0.5), "pass_wall_p99": quantile(walls, 0.99),
                  "pass_cpu": quantile(cpus, 0.5), "look_wall": look_wall, "look_cpu": look_cpu}))
"""


def report_checkpoints(built: Built, latency: dict, rate: float, sign: float, raw: float) -> None:
    ms = 1000
    print(f"\nappend → published checkpoint inside the service at {built.facts['size']:,} entries "
          f"(`corridor worker` started cold, {latency['n']} entries at {rate:g}/s): "
          f"p50 {latency['p50'] * ms:.0f} ms, p99 {latency['p99'] * ms:.0f} ms, max {latency['max'] * ms:.0f} ms")
    (s50, s99, smax), (p50, p99, pmax) = latency["scheduled"], latency["in_pass"]
    print(f"  of which: from the commit to the start of the pass that covered it p50 {s50 * ms:.0f} ms, p99 "
          f"{s99 * ms:.0f} ms, max {smax * ms:.0f} ms (the schedule, and the worker getting the CPU); that pass "
          f"itself p50 {p50 * ms:.0f} ms, p99 {p99 * ms:.0f} ms, max {pmax * ms:.0f} ms (the worker's log)")
    cold, warm = latency["cold"], latency["warm"]
    print("  p99 while the worker's first figures were computed: "
          + (f"{cold[1] * ms:.0f} ms ({cold[0]} entries)" if cold[0] else "none appended then")
          + "; after: " + (f"{warm[1] * ms:.0f} ms ({warm[0]} entries)" if warm[0] else "none appended then"))
    gap = f"{latency['min_gap'] * ms:.0f} ms" if latency["min_gap"] is not None else "-"
    loop, figures = latency["worker_cpu"]
    print(f"  checkpoints published during the stream: {latency['checkpoints']} in {latency['wall']:.1f} s "
          f"(closest two {gap} apart, as the watcher saw them); worker CPU: {loop:.1f} s in its own process "
          f"= {loop / latency['wall']:.2f} of a core (checkpoints, outbox, snapshots), {figures:.1f} s in its "
          f"figures process")
    sign_ms = ms / sign
    print(f"  one pass alone (5 entries integrated, signed, published): p50 {latency['pass_wall'] * ms:.1f} ms wall "
          f"(p99 {latency['pass_wall_p99'] * ms:.1f}), {latency['pass_cpu'] * ms:.2f} ms CPU "
          f"= {latency['pass_cpu'] * ms / sign_ms:.0f} Ed25519 signatures; the look for waiting entries "
          f"{latency['look_cpu'] * 1e6:.0f} µs CPU ({latency['look_wall'] * 1e6:.0f} µs wall)")
    print(f"  primitives: Ed25519 sign {sign:,.0f}/s ({sign_ms:.3f} ms), raw durable append {raw:,.0f}/s "
          "(one entry per commit)")


def ed25519_signatures_per_second(n: int = 3000) -> float:
    key, message = Ed25519PrivateKey.generate(), b"x" * 300
    started = time.perf_counter()
    for _ in range(n):
        key.sign(message)
    return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, nargs="+", default=[1000, 10_000, 100_000],
                        help="sizes in plans (about ten statements each)")
    parser.add_argument("--only", choices=["build", "reads", "checkpoints"], action="append")
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--fold-pages", action="store_true", help="also the pages that read the process's fold "
                        "(plan page, go board, checkpoint screen, briefings): each process replays the log first")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rate", type=float, default=20.0, help="entries appended a second (checkpoints)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the stream runs (checkpoints)")
    parser.add_argument("--coldstart-fixture", type=int, metavar="PLANS", help="checkpoints only, on "
                        "bench/coldstart.py's fixture of PLANS plans instead of this bench's build (1000000 ≈ 10M)")
    args = parser.parse_args()
    sections = args.only or ["build", "reads", "checkpoints"]
    if args.coldstart_fixture:
        return report_checkpoints_now(ColdstartFixture(args.coldstart_fixture), args.rate, args.seconds)
    sizes = []
    for plans in sorted(args.plans):
        started = time.perf_counter()
        sizes.append(Built(plans, args.database))
        print(f"data: {sizes[-1].facts['statements']:,} statements ({plans:,} plans), log size "
              f"{sizes[-1].facts['size']:,}, ready in {time.perf_counter() - started:.0f} s "
              f"(built in {sizes[-1].facts['seconds']} s)", flush=True)
    if "reads" in sections:
        results = [measure(built, args.fold_pages, args.requests) for built in sizes]
        report(sizes, results, args.requests)
    if "checkpoints" in sections:
        report_checkpoints_now(sizes[-1], args.rate, args.seconds)
    print(f"({os.cpu_count()} cores; single runs on a shared machine: compare ratios)")


def report_checkpoints_now(built: Built | ColdstartFixture, rate: float, seconds: float) -> None:
    sign = ed25519_signatures_per_second()
    CACHE.mkdir(parents=True, exist_ok=True)
    raw = raw_appends_per_second(str(CACHE / "raw.sqlite3"), CACHE / "raw-tiles")
    for leftover in (CACHE / "raw.sqlite3", CACHE / "raw-tiles"):
        shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
    latency = checkpoint_latency(built, rate, seconds)
    report_checkpoints(built, latency, rate, sign, raw)


if __name__ == "__main__":
    sys.exit(main())
