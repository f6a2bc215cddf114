"""Benchmark: cold start on a large log. A service with N generated statements (the realistic mix of
bench/engine_fold.py, signed, loaded into the log, `corridor rebuild`, a checkpoint and a fold snapshot) is
started with `corridor serve`; timed: its first plan page and first API write, a CLI command that records
(`corridor createparty`); in one process: the snapshot's load and checks, its encoding, its size, the RSS
after loading, the full replay it saves. Each beside its same-run primitive: msgspec decoding of the same
bytes, SHA-256 of them, Ed25519 verifications per second.

    .venv/bin/python bench/coldstart.py                       # 1,000 / 10,000 / 100,000 plans ≈ 10k / 100k / 1M
    .venv/bin/python bench/coldstart.py --plans 10000

The generated service (database, keys, tiles) is kept under $CORRIDOR_COLDSTART_CACHE (default
/tmp/corridor-coldstart) keyed by its size and by the code that shapes it, and reused by later runs and by
the restart test (tests/service/test_restart.py).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_fold import PlanScript, generate, registry
from service import _LOAD_STATEMENTS, _post

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CACHE = Path(os.environ.get("CORRIDOR_COLDSTART_CACHE", "/tmp/corridor-coldstart"))
PASSWORD = "coldstart-password-1"
WRITER = "coldstart-org"


@dataclass
class Fixture:
    """A generated service at rest: its data directory (SQLite database, keys, tiles, snapshots), the number
    of log entries, a plan and the receiving authority's officer who may see it, and an API token of a
    humanitarian party with a custodial key (for writes)."""

    data: Path
    entries: int
    plan: str
    viewer: str
    token: str

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "CORRIDOR_DATA_DIR": str(self.data),
                "DATABASE_URL": f"sqlite:///{self.data / 'corridor.sqlite3'}",
                "CORRIDOR_ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SETTINGS_MODULE": "corridor.service.settings"}

    def corridor(self, *argv: str, timeout: float | None = None) -> str:
        done = subprocess.run([PYTHON, "-m", "corridor.cli", *argv], env=self.env, capture_output=True, text=True,
                              cwd=ROOT, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"corridor {' '.join(argv)} failed:\n{done.stderr[-3000:]}")
        return done.stdout + done.stderr

    def python(self, code: str) -> str:
        done = subprocess.run([PYTHON, "-c", "import django; django.setup()\n" + code], env=self.env,
                              capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        return done.stdout


FIXTURE_VERSION = b"1"  # bump when _build changes what it makes


def cache_key() -> str:
    """What the generated service depends on: the statements' generator and the loading path (the schema is
    brought up to date by `corridor migrate` on each use)."""
    digest = hashlib.sha256(FIXTURE_VERSION)
    digest.update((ROOT / "bench" / "engine_fold.py").read_bytes())
    digest.update(_LOAD_STATEMENTS.encode())
    return digest.hexdigest()[:12]


def fixture(plans: int, log=print) -> Fixture:
    """The generated service of `plans` plans, built once (about 10 statements a plan) and then reused."""
    directory = CACHE / f"plans-{plans}-{cache_key()}"
    ready = directory / "fixture.json"
    if not ready.exists():
        shutil.rmtree(directory, ignore_errors=True)
        started = time.perf_counter()
        _build(plans, directory)
        log(f"built the {plans:,}-plan service in {time.perf_counter() - started:.0f} s ({directory})")
    found = Fixture(data=directory / "data", **json.loads(ready.read_text()))
    found.corridor("migrate")
    return found


def _build(plans: int, directory: Path) -> None:
    data = directory / "data"
    data.mkdir(parents=True)
    statements = directory / "statements.jsonl"
    count = generate(plans, statements)
    partial = Fixture(data, count, "", "", "")
    partial.corridor("migrate")
    partial.python(_LOAD_STATEMENTS.replace("STATEMENTS", repr(str(statements))))
    statements.unlink()
    # a signed checkpoint over the entries first: they were signed just now, and `rebuild` then checks the
    # tree's root instead of every signature again (at 10M, ~20 minutes of both cores)
    partial.python("from corridor.service.ledger.integrator import integrate_now\nintegrate_now()")
    partial.corridor("rebuild")
    partial.corridor("worker", "--once")  # tiles, the signed checkpoint, the first fold snapshot
    _, routes = registry()
    script = PlanScript(0, routes)
    viewer = next(party for party in script.required() if party.startswith("recv-"))
    partial.corridor("createuser", "viewer", "--party", viewer, "--password", PASSWORD)
    partial.corridor("createparty", WRITER, "--name", "Cold start", "--kind", "humanitarian")
    token = re.search(r"API token \(shown once\): (\S+)", partial.corridor("createuser", "writer", "--party", WRITER))
    entries = int(partial.python("from corridor.service.ledger.models import LogEntry\n"
                                 "print(LogEntry.objects.count())"))
    (directory / "fixture.json").write_text(json.dumps({"entries": entries, "plan": script.id, "viewer": viewer,
                                                        "token": token.group(1)}))


# -- the service, restarted ----------------------------------------------------------------------------

class Served:
    """`corridor serve` on `port`, stopped on exit."""

    def __init__(self, found: Fixture, port: int, workers: int = 2) -> None:
        self.port = port
        self.process = subprocess.Popen([PYTHON, "-m", "corridor.cli", "serve", "--listen", f"127.0.0.1:{port}",
                                         "--workers", str(workers)], env=found.env, cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self) -> Served:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("corridor serve did not listen within 60 s")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def first_requests(found: Fixture, port: int, timeout: float = 10.0, page: bool = True,
                   write: bool = True) -> dict[str, float]:
    """Right after a restart, once the application answers: sign in and the first plan page (`page`), the
    first API write (`write`); each must answer (200, 200, 201) within `timeout` s. Returns each one's time
    in seconds, and the smallest answer's once warm (the floor)."""
    times = {"boot (trust.txt)": _booted(port, timeout)}
    if page:
        times.update(_first_plan_page(found, port, timeout))
    if write:
        times["first API write"] = _first_write(found, port, timeout)
        times["API write again"] = _first_write(found, port, timeout)
    started = time.perf_counter()
    _get(port, "/log/trust.txt", timeout=timeout)
    times["floor: trust.txt"] = time.perf_counter() - started
    return times


def _booted(port: int, timeout: float) -> float:
    """Seconds until the application answers (the server listens before its workers have loaded it)."""
    started = time.perf_counter()
    while True:
        try:
            _get(port, "/log/trust.txt", timeout=timeout)
            return time.perf_counter() - started
        except OSError:
            if time.perf_counter() - started > 60:
                raise
            time.sleep(0.05)


def _first_plan_page(found: Fixture, port: int, timeout: float) -> dict[str, float]:
    import http.client

    from web import session_cookie

    started = time.perf_counter()
    cookie = session_cookie(None, port, "viewer", PASSWORD)
    signed_in = time.perf_counter() - started
    times = {"sign in": signed_in}
    for name in ("first plan page", "plan page again"):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        started = time.perf_counter()
        connection.request("GET", f"/plans/{found.plan}", headers={"Cookie": cookie})
        response = connection.getresponse()
        body = response.read()
        times[name] = time.perf_counter() - started
        if response.status != 200 or found.plan.encode() not in body:
            raise RuntimeError(f"GET /plans/{found.plan} answered {response.status}")
    return times


def _first_write(found: Fixture, port: int, timeout: float) -> float:
    plan = {"plan": f"cold-{uuid.uuid4().hex[:12]}", "legs": [{"id": "leg-a", "route": "route-1", "lines": [
        {"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 20, "unit": "t", "weight_kg": 20000}],
        "vehicles": [{"id": "t1", "plate": "AB 1", "type": "truck"}]}]}
    status, seconds = asyncio.run(asyncio.wait_for(_post(port, "/api/v1/plans", found.token,
                                                         json.dumps(plan).encode()), timeout))
    if status != 201:
        raise RuntimeError(f"POST /api/v1/plans answered {status}")
    return seconds


def _get(port: int, path: str, timeout: float) -> int:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    return response.status


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- in one process: the snapshot's costs beside their primitives ----------------------------------------

_IN_PROCESS = """
import gc, hashlib, json, resource, time
import msgspec
from corridor import snapshot
from corridor.fold import LogFold
from corridor.service.ledger import record, snapshots
from corridor.service.ledger.keys import OPERATOR, operator_public
from corridor.service.ledger.origins import policy
from corridor.ledger.crypto import verify_ed25519
started, cpu = time.perf_counter(), time.process_time()
fold = snapshots.load()
load, load_cpu = time.perf_counter() - started, time.process_time() - cpu
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
private = int(status.get("RssAnon", "0 kB").split()[0]) / 1024  # the process's own memory, not the shared map
assert fold is not None, "no usable snapshot"
started = time.perf_counter(); some_plan = fold.state.plans[next(iter(fold.state.plans))]
first_plan = time.perf_counter() - started
started = time.perf_counter()
record._catch_up(fold)
tail = time.perf_counter() - started
path = snapshots.paths()[0]
data = path.read_bytes()
header, body = snapshot.read_header(data, snapshots.secret())
stored = [bytes(raw) for _, raw in snapshot.decode(data, snapshots.secret(), snapshots.signed_root,
          registrar_public=operator_public(), webauthn=policy()).state.plans.stored()]
def decode_everything():
    msgspec.msgpack.decode(body[:header.rest_length])
    for raw in stored:
        msgspec.msgpack.decode(raw)
def best(action):
    gc.disable()  # as for the snapshot's own structs (gc=False): time the decoding, not the collector
    try:
        times = []
        for _ in range(3):
            started = time.process_time(); action(); times.append(time.process_time() - started)
        return min(times)
    finally:
        gc.enable()
raw_decode = best(decode_everything)
sha = best(lambda: hashlib.sha256(body).digest())
started = time.perf_counter(); encoded = snapshots.encode(fold, header.root); encode = time.perf_counter() - started
result = dict(load=load, load_cpu=load_cpu, rss=rss, private=private, first_plan=first_plan, tail=tail,
              size=len(data), snapshot_entries=header.size,
              entries=fold.size, raw_decode=raw_decode, sha=sha, encode=encode)
# catching up, per entry: the former way (ORM rows, each signature checked again) and today's (one raw query
# a batch, signatures checked at commit), over the log's first entries
from corridor.service.ledger.models import LogEntry
count = min(20_000, fold.size)
before = LogFold(OPERATOR, operator_public(), webauthn=policy())
started = time.perf_counter()
for data in LogEntry.objects.filter(idx__lt=count).order_by("idx").values_list("data", flat=True):
    before.apply_entry(bytes(data))
result["catch_up_before"] = (time.perf_counter() - started) / count
after = LogFold(OPERATOR, operator_public(), webauthn=policy())
started = time.perf_counter()
record._catch_up(after, until=count)
result["catch_up_after"] = (time.perf_counter() - started) / count
if REPLAY:
    fold = LogFold(OPERATOR, operator_public(), webauthn=policy())
    started = time.perf_counter()
    record._catch_up(fold)
    result["replay"] = time.perf_counter() - started
print(json.dumps(result))
"""


def in_process(found: Fixture, replay: bool) -> dict:
    return json.loads(found.python(_IN_PROCESS.replace("REPLAY", repr(replay))).splitlines()[-1])


def measure(plans: int, replay: bool) -> None:
    from ledger import ed25519_verifications_per_second

    found = fixture(plans)
    found.corridor("worker", "--once")  # a snapshot usable by this code (written only if none is)
    numbers = in_process(found, replay)
    started = time.perf_counter()
    found.corridor("createparty", f"cold-{uuid.uuid4().hex[:8]}", "--name", "Cold", "--kind", "humanitarian")
    cli = time.perf_counter() - started
    started = time.perf_counter()
    found.python("")
    floor = time.perf_counter() - started  # a process that sets Django up and exits
    # one server process, restarted twice: the plan page, then the write, each its process's first use of
    # the fold (with two workers, a request could also wait for the other worker's boot)
    with Served(found, free_port(), workers=1) as served:
        times = first_requests(found, served.port, timeout=60, write=False)
    with Served(found, free_port(), workers=1) as served:
        writes = first_requests(found, served.port, timeout=60, page=False)
    times.update((name, writes[name]) for name in ("first API write", "API write again"))
    ed = ed25519_verifications_per_second()
    mb = numbers["size"] / 1e6
    print(f"{numbers['entries']:,} log entries ({plans:,} generated plans):")
    for name, seconds in times.items():
        print(f"  after `corridor serve`: {name:18} {seconds:6.2f} s")
    print(f"  `corridor createparty` (a CLI command that records), whole process: {cli:6.2f} s "
          f"| floor: a process that sets Django up and exits {floor:.2f} s")
    print(f"  snapshot at {numbers['snapshot_entries']:,} entries: {mb:,.1f} MB; load and check "
          f"{numbers['load']:.2f} s wall, {numbers['load_cpu']:.2f} s CPU | primitives (CPU): msgspec msgpack "
          f"decode of the same bytes (the rest and every plan) {numbers['raw_decode']:.2f} s, SHA-256 of them "
          f"{numbers['sha']:.2f} s (load = {numbers['load_cpu'] / max(numbers['raw_decode'], 1e-9):.2f} x raw decode, "
          f"{numbers['load_cpu'] / max(numbers['sha'], 1e-9):.2f} x SHA-256); first plan read "
          f"{numbers['first_plan'] * 1e3:.2f} ms")
    print(f"  encoding it (the worker, on a thread): {numbers['encode']:.2f} s; RSS after loading "
          f"{numbers['rss']:,.0f} MB, of which the process's own (not the shared map) {numbers['private']:,.0f} MB; "
          f"tail of {numbers['entries'] - numbers['snapshot_entries']:,} entries "
          f"applied in {numbers['tail']:.3f} s")
    print(f"  catching up (each write, with other processes' entries), per entry: "
          f"{numbers['catch_up_after'] * 1e6:.0f} µs (raw query, no second signature check) against "
          f"{numbers['catch_up_before'] * 1e6:.0f} µs before (ORM rows, signatures checked again)")
    if "replay" in numbers:
        per_entry = numbers["replay"] / numbers["entries"] * 1e6
        print(f"  without a snapshot: full replay (signatures not re-checked) {numbers['replay']:.1f} s = "
              f"{per_entry:.0f} µs an entry | Ed25519 verify {ed:,.0f}/s = {1e6 / ed:.0f} µs each (what a "
              "re-check would add per entry)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, nargs="+", default=[1_000, 10_000, 100_000],
                        help="generated plans (about 10 statements each)")
    parser.add_argument("--no-replay", action="store_true", help="skip timing the full replay a snapshot saves")
    args = parser.parse_args()
    print("cold start; the machine's 2 cores may be shared with other work (ratios are same-run)")
    for plans in args.plans:
        measure(plans, replay=not args.no_replay)


if __name__ == "__main__":
    main()
