"""Benchmarks of the service, each printed beside the raw primitive it rests on (same run):

- the API write path (custodial signing: POST /api/v1/plans/{plan}/note) served as `corridor serve` serves it
  (granian, 2 workers), at 1, 10 and 50 concurrent clients, on SQLite and on PostgreSQL: requests/s, p50,
  p99, the server's CPU per request (on PostgreSQL also its backends', on the same cores) — next to the
  ledger's raw durable append rate (one entry per commit) on the same database;
- time to import the BSGI voyages and the UNRWA trucks (shared real data);
- time to rebuild every read model from N generated statements (realistic mix, bench/engine_fold.py).

    .venv/bin/python bench/service.py                          # everything, 1M statements for the rebuild
    .venv/bin/python bench/service.py --only api --seconds 10
    .venv/bin/python bench/service.py --only api --contacts   # every party emailed: writes queue their notices
    .venv/bin/python bench/service.py --only rebuild --rebuild-plans 10000
    .venv/bin/python bench/service.py --only api --writer-section   # and the section under the writer lock

`--writer-section` times each recording transaction in the server's processes (bench/writer_section/: loaded
through PYTHONPATH, the service's code untouched): how long the writer lock is held per statement once its
query returns (its inverse bounds the single writer's statements/s, however many processes or hosts write),
the recording thread's CPU in it, and the queries sent while it is held.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.commands.service import web_server
from corridor.ledger.envelope import seal
from corridor.ledger.note import Signer
from corridor.ledger.store import LogStore
from ledger import ed25519_verifications_per_second  # bench/ledger.py: the same primitive, measured alike

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
POSTGRES = os.environ.get("CORRIDOR_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
THREADS = 16  # per web server process: concurrent requests in one process are what group commit batches
BENCH_DATABASE = os.environ.get("CORRIDOR_BENCH_DATABASE", "corridor_bench")  # dropped and created afresh
SHARED = Path(os.environ.get("CORRIDOR_SHARED_DIR", ROOT.parent / "shared"))


# -- primitives -----------------------------------------------------------------------------------------

def raw_appends_per_second(database: str, tiles: Path, n: int = 300) -> float:
    """The ledger alone: one signed entry per durable commit (what one recorded statement costs the log)."""
    store = LogStore(database, tiles, "bench.corridor.example/raw", Signer.generate("bench.corridor.example/raw"))
    key = Ed25519PrivateKey.generate()
    entries = [seal({"type": "plan.note", "party": "p", "seq": i + 1, "time": "2024-01-01T00:00:00Z", "plan": "x",
                     "payload": {"sha256": "0" * 64}}, key) for i in range(n)]
    started = time.perf_counter()
    for entry in entries:
        store.append([entry])
    rate = n / (time.perf_counter() - started)
    store.close()
    return rate


# -- a service in a subprocess --------------------------------------------------------------------------

class Service:
    """A fresh data directory and database, migrated and seeded with the two-roads parties."""

    def __init__(self, kind: str, workdir: Path, seed: bool = True, database: str | None = None) -> None:
        """`database`: a URL to use as it is (a kept benchmark database) instead of a fresh one."""
        self.kind, self.data = kind, workdir / f"data-{kind}"
        self.database = database or self._fresh_database(kind)
        self.env = {**os.environ, "CORRIDOR_DATA_DIR": str(self.data), "DATABASE_URL": self.database,
                    "CORRIDOR_ALLOWED_HOSTS": "127.0.0.1,localhost"}
        self.corridor("migrate")
        demo = self.corridor("demo", "--empty") if seed else ""  # the parties only: no example history
        self.tokens = dict(re.findall(r"^\s+(\S+)\s+party \S+\s+password \S+\s+token (\S+)$", demo, re.MULTILINE))
        self.server: subprocess.Popen | None = None

    def _fresh_database(self, kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{self.data / 'corridor.sqlite3'}"
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
            admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
        return f"{POSTGRES}/{BENCH_DATABASE}"

    def corridor(self, *argv: str) -> str:
        done = subprocess.run([PYTHON, "-m", "corridor.cli", *argv], env=self.env, capture_output=True, text=True,
                              cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(f"corridor {' '.join(argv)} failed:\n{done.stderr[-3000:]}")
        return done.stdout + done.stderr

    def python(self, code: str) -> str:
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "corridor.service.settings"}
        done = subprocess.run([PYTHON, "-c", "import django; django.setup()\n" + code], env=env, capture_output=True,
                              text=True, cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        return done.stdout

    def serve(self, workers: int = 2, threads: int = THREADS) -> int:
        port = _free_port()
        self.server = subprocess.Popen([*web_server(f"127.0.0.1:{port}", workers, threads), "--backlog", "2048"],
                                       env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return port
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the web server did not start")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server's processes have used so far: on a shared machine, the
        cost of a request that wall-clock throughput cannot show."""
        pids = [self.server.pid]
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        return sum(_process_cpu_seconds(pid) for pid in pids)

    def database_cpu_seconds(self) -> float:
        """CPU time the PostgreSQL server's backends serving this database have used so far (0 on SQLite):
        they run on the same cores, and every round trip costs them as well as the client."""
        if self.kind != "postgresql":
            return 0.0
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            pids = [row[0] for row in admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                                    [BENCH_DATABASE])]
        return sum(_process_cpu_seconds(pid) for pid in pids)

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait()


def _process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone meanwhile
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- load generator -------------------------------------------------------------------------------------
# A few lines of asyncio speaking HTTP/1.1 rather than a client library: on a 2-core machine the load
# generator shares the CPU with the server, and a library client costs several times more per request.

class _Connection:
    """One client's HTTP/1.1 connection: kept open between requests (as an API client's library does), or a
    new one for each request (`fresh`), which costs both sides a TCP handshake and a thread hand-over."""

    def __init__(self, port: int, fresh: bool) -> None:
        self.port, self.fresh = port, fresh
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, path: str, token: str, body: bytes | None) -> tuple[int, float]:
        """POST `body` with the token; without a body, a plain GET of `path`."""
        started = time.perf_counter()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        keep = "close" if self.fresh else "keep-alive"
        if body is None:
            head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: {keep}\r\n\r\n"
        else:
            head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: "
                    f"application/json\r\nContent-Length: {len(body)}\r\nConnection: {keep}\r\n\r\n")
        self.writer.write(head.encode() + (body or b""))
        await self.writer.drain()
        headers = await self.reader.readuntil(b"\r\n\r\n")
        length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", headers)
        await self.reader.readexactly(int(length.group(1))) if length else await self.reader.read()
        if self.fresh or length is None or re.search(rb"(?i)\r\nconnection: *close", headers):
            self.close()
        return int(headers.split(b" ", 2)[1]), time.perf_counter() - started

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _post(port: int, path: str, token: str, body: bytes | None) -> tuple[int, float]:
    connection = _Connection(port, fresh=True)
    try:
        return await connection.request(path, token, body)
    finally:
        connection.close()


FLOOR = "/log/trust.txt"  # the server's smallest answer: what any request costs Django, the server and HTTP here


async def _client(port: int, tokens: list[str], deadline: float, results: list, number: int, floor: bool,
                  fresh: bool) -> None:
    connection, n = _Connection(port, fresh), 0
    try:
        while time.perf_counter() < deadline:
            n += 1
            if floor:
                results.append(await connection.request(FLOOR, "", None))
                continue
            body = json.dumps({"sha256": f"{number:032x}{n:032x}", "title": "bench"}).encode()
            results.append(await connection.request("/api/v1/plans/bench-plan/note",
                                                    tokens[(number + n) % len(tokens)], body))
    finally:
        connection.close()


def load(port: int, tokens: list[str], clients: int, seconds: float, floor: bool = False,
         fresh: bool = False) -> dict:
    results: list[tuple[int, float]] = []

    async def run() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_client(port, tokens, deadline, results, i, floor, fresh) for i in range(clients)))

    started = time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    ok = 200 if floor else 201
    latencies = sorted(latency for status, latency in results if status == ok)
    errors = sum(1 for status, _ in results if status != ok)
    return {"rps": len(latencies) / elapsed, "p50": _percentile(latencies, 50), "p99": _percentile(latencies, 99),
            "errors": errors, "requests": len(results)}


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(len(values) * pct / 100))]


# -- sections -------------------------------------------------------------------------------------------

def api_section(workdir: Path, kinds: list[str], clients: list[int], seconds: float, workers: int = 2,
                threads: int = THREADS, fresh: bool = False, contacts: bool = False, section: bool = False) -> None:
    ed25519 = ed25519_verifications_per_second()  # server CPU per request is also given in its units
    print(f"API write path: granian {workers} worker(s) x {threads} threads; "
          f"{'a new connection for every request' if fresh else 'each client keeps its connection'}; "
          f"{'every party with an email contact; ' if contacts else ''}Ed25519 verify {ed25519:,.0f}/s on one core now")
    for kind in kinds:
        service = Service(kind, workdir)
        raw = raw_appends_per_second(_raw_database(kind, workdir), workdir / f"raw-tiles-{kind}")
        party_tokens = [service.tokens[p] for p in PARTIES]
        if contacts:  # as a deployment that emails its parties: each write queues its notices in the transaction
            service.python("from corridor.service.parties.operations import do_set_contact\n"
                           + "".join(f"do_set_contact({p!r}, email='{p}@example.org')\n" for p in PARTIES))
        traces = workdir / f"writer-section-{kind}"
        if section:
            service.env.update(CORRIDOR_WRITER_SECTION=str(traces), PYTHONPATH=os.pathsep.join(
                [str(ROOT / "bench" / "writer_section"), *filter(None, [os.environ.get("PYTHONPATH")])]))
        port = service.serve(workers, threads)
        try:
            _post_plan(port, service.tokens["org-a"])
            for count in clients:
                for trace in workdir.glob(f"{traces.name}.*"):
                    trace.write_text("")  # emptied, not removed: each process keeps its file open (appending)
                cpu, database_cpu = service.cpu_seconds(), service.database_cpu_seconds()
                result = load(port, party_tokens, count, seconds, fresh=fresh)
                per_request = (service.cpu_seconds() - cpu) / max(result["requests"], 1)
                database = (service.database_cpu_seconds() - database_cpu) / max(result["requests"], 1)
                print(f"API write path, {kind}, {count:>2} clients: {result['rps']:7.0f} req/s  "
                      f"p50 {result['p50'] * 1000:6.1f} ms  p99 {result['p99'] * 1000:6.1f} ms  "
                      f"errors {result['errors']}  server CPU {per_request * 1000:4.2f} ms/req "
                      f"= {per_request * ed25519:.1f} Ed25519 verifications"
                      + (f"  (+ PostgreSQL backends {database * 1000:4.2f} ms/req)" if kind == "postgresql" else "")
                      + f"  | raw ledger append {raw:,.0f}/s (API = {result['rps'] / raw:.2f} x raw)")
                if section:
                    print(_writer_section(workdir.glob(f"{traces.name}.*"), ed25519))
            cpu = service.cpu_seconds()
            result = load(port, party_tokens, max(clients), min(seconds, 5), floor=True, fresh=fresh)
            per_request = (service.cpu_seconds() - cpu) / max(result["requests"], 1)
            print(f"  floor, {kind}: GET {FLOOR} {result['rps']:7.0f} req/s, server CPU {per_request * 1000:4.2f} "
                  f"ms/req at {max(clients)} clients (any request through the server and Django here)")
        finally:
            service.stop()


def _writer_section(traces, ed25519: float) -> str:
    """The summary of bench/writer_section's lines (one per recording transaction) over one load."""
    rows = [line.split() for trace in traces for line in trace.read_text().splitlines()]
    rows = [(float(held), float(cpu), int(statements), int(queries), float(lock))
            for held, cpu, statements, queries, lock in rows if int(statements)]
    if not rows:
        return "  writer section: no transaction recorded a statement"
    statements = sum(row[2] for row in rows)
    held, cpu = sum(row[0] for row in rows) / statements, sum(row[1] for row in rows) / statements
    bound = f"{1 / held:,.0f}" if held else "unbounded"
    return (f"  writer section: {len(rows):,} transactions, {statements / len(rows):.1f} statements each; lock held "
            f"{held * 1e6:,.0f} µs a statement after its query returns (a single writer's bound: "
            f"{bound} statements/s); the recording thread's CPU in the transaction {cpu * 1e6:,.0f} µs "
            f"= {cpu * ed25519:.1f} Ed25519 verifications; {sum(row[3] for row in rows) / len(rows):.1f} more "
            f"queries a transaction while held; the lock's query {sum(row[4] for row in rows) / len(rows) * 1e3:.2f}"
            f" ms a transaction (with the wait for the lock)")


PARTIES = ("org-a", "border", "customs", "recv", "escort")


def _raw_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return str(workdir / "raw.sqlite3")
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}_raw")
        admin.execute(f"CREATE DATABASE {BENCH_DATABASE}_raw")
    return f"{POSTGRES}/{BENCH_DATABASE}_raw"


def _post_plan(port: int, token: str) -> None:
    plan = {"plan": "bench-plan", "legs": [{"id": "leg-a", "route": "road-a", "lines": [
        {"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 20, "unit": "t", "weight_kg": 20000}],
        "vehicles": [{"id": "t1", "plate": "AB 1", "type": "truck"}]}]}
    status, _ = asyncio.run(_post(port, "/api/v1/plans", token, json.dumps(plan).encode()))
    if status != 201:
        raise RuntimeError(f"could not submit the benchmark plan ({status})")


def import_section(workdir: Path, kinds: list[str]) -> None:
    bsgi = SHARED / "data" / "bsgi" / "bsgi_outbound_shipments.csv"
    unrwa = SHARED / "data" / "gaza" / "20240911_Commodities_Received.xlsx"
    ed = ed25519_verifications_per_second()
    for kind in kinds:
        service = Service(kind, workdir / "imports")
        for name, path, rows in (("bsgi", bsgi, 1_119), ("unrwa", unrwa, 35_521)):
            started = time.perf_counter()
            service.corridor("import", name, str(path))
            seconds = time.perf_counter() - started
            print(f"import {name} ({rows:,} rows), {kind}: {seconds:.1f} s = {rows / seconds:,.0f} rows/s  "
                  f"| Ed25519 verify {ed:,.0f}/s (each passage is signed, verified and logged)")


def rebuild_section(workdir: Path, kind: str, plans: int, keep: Path | None = None) -> None:
    """`keep`: a directory where the generated log (SQLite) is kept and reused by later runs."""
    from engine_fold import generate  # the fold benchmark's realistic statement mix

    statements, ready = (keep or workdir) / "statements.jsonl", (keep or workdir) / f"loaded-{plans}"
    if keep and kind == "sqlite" and ready.exists():
        service, count = Service(kind, keep / "rebuild", seed=False), int(ready.read_text())
        loaded = float("nan")
    else:
        service = Service(kind, (keep or workdir) / "rebuild", seed=False)
        count = generate(plans, statements)
        started = time.perf_counter()
        service.python(_LOAD_STATEMENTS.replace("STATEMENTS", repr(str(statements))))
        loaded = time.perf_counter() - started
        ready.write_text(str(count))
    started = time.perf_counter()
    output = service.corridor("rebuild")
    seconds = time.perf_counter() - started
    phases = [line.strip() for line in output.splitlines() if not line.strip().startswith(("0", "1", "2", "3",
                                                                                          "4", "5", "6", "7", "8",
                                                                                          "9")) or "s  " in line]
    print("\n".join(f"    {line}" for line in phases if "folded" not in line or line.endswith("000 entries")))
    ed = ed25519_verifications_per_second()
    entries = int(re.search(r"from ([\d,]+) log entries", output).group(1).replace(",", ""))
    print(f"rebuild of every read model from {entries:,} log entries ({count:,} generated statements, "
          f"{plans:,} plans), {kind}: {seconds:.0f} s = {entries / seconds:,.0f} entries/s  "
          f"| Ed25519 verify {ed:,.0f}/s on one core (signatures are checked on every core)  "
          f"[loading the signed log took {loaded:.0f} s]")


# Registers the fold benchmark's parties and routes on the service's log, then seals each generated
# statement with its party's key and appends them straight to the log table (as if recorded long ago).
_LOAD_STATEMENTS = """
import base64, msgspec, sys
sys.path.insert(0, "bench")
from engine_fold import registry
from django.db import transaction
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import seal
from corridor.ledger.merkle import leaf_hash
from corridor.service.guard import domain_writes
from corridor.service.ledger.keys import OPERATOR, operator_key
from corridor.service.ledger.models import LogEntry
parties, routes = registry()
keys = {p.id: Ed25519PrivateKey.generate() for p in parties}
op = operator_key()
first = LogEntry.objects.count()
seq = first  # the demo seed used the operator's numbers 1..first
entries = []
def operator(kind, payload):
    global seq
    seq += 1
    entries.append(seal({"type": kind, "party": OPERATOR, "seq": seq, "time": "2020-01-01T00:00:00Z",
                         "payload": payload}, op))
for p in parties:
    operator("party.register", msgspec.to_builtins(p))
    operator("key.register", {"party": p.id, "public": base64.b64encode(public_bytes(keys[p.id])).decode()})
for r in routes:
    operator("route.define", msgspec.to_builtins(r))
decode = msgspec.json.Decoder()
with open(STATEMENTS, "rb") as lines:
    for line in lines:
        statement = decode.decode(line)
        entries.append(seal(statement, keys[statement["party"]]))
with transaction.atomic(), domain_writes():
    for start in range(0, len(entries), 10000):
        LogEntry.objects.bulk_create([LogEntry(idx=first + start + n, data=e, leaf=leaf_hash(e))
                                      for n, e in enumerate(entries[start:start + 10000])])
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["api", "imports", "rebuild"], action="append")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="web server processes (API section)")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per worker (API section)")
    parser.add_argument("--contacts", action="store_true",
                        help="API section: every party has an email contact, so each write queues notices too")
    parser.add_argument("--new-connections", action="store_true",
                        help="API section: a new connection for every request (default: each client keeps one)")
    parser.add_argument("--writer-section", action="store_true",
                        help="API section: also time the section under the writer lock (bench/writer_section/)")
    parser.add_argument("--rebuild-plans", type=int, default=100_000, help="100,000 plans ≈ 1M statements")
    parser.add_argument("--keep", type=Path, help="keep the rebuild's generated log (SQLite) here and reuse it")
    args = parser.parse_args()
    sections = args.only or ["api", "imports", "rebuild"]
    print(f"primitive: Ed25519 verify {ed25519_verifications_per_second():,.0f}/s on one core; "
          f"{os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if "api" in sections:
            api_section(workdir, args.databases, args.clients, args.seconds, args.workers, args.threads,
                        args.new_connections, args.contacts, args.writer_section)
        if "imports" in sections:
            import_section(workdir, args.databases)
        if "rebuild" in sections:
            rebuild_section(workdir, args.databases[0], args.rebuild_plans, args.keep)
    print("single runs: this VM's speed varies up to 1.7x between runs; the ratios are the stable part")


if __name__ == "__main__":
    main()
