"""Benchmarks of the public log, each printed beside the raw primitive it rests on (same run).

    .venv/bin/python bench/ledger.py                      # all figures, 1M-entry log for proofs/verify
    .venv/bin/python bench/ledger.py --proof-sizes 1000000 10000000
    .venv/bin/python bench/ledger.py --scale 1000000 10000000 --mirror   # RSS, HTTP proofs, mirror: make bench-log
    .venv/bin/python bench/ledger.py --scale 10000000 --proofs-only     # proofs over HTTP only: make bench-proofs

`--scale`: a service data directory per size (migrated, its log built through the ledger store with small
entries; kept under --keep and reused, as building 10M takes minutes); then, each in a fresh process, the log
writer's peak RSS (open, append, integrate, publish, proofs) beside the interpreter's own, and inclusion proofs
over HTTP (the web server as `corridor serve` runs it; one kept connection, and a new one per request) beside the HTTP
floor (/log/checkpoint through the same client), the WSGI application's CPU time per call in-process, and the
kept tile reader's proof time.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.ledger.cosigning import Cosigning, WitnessEndpoint
from corridor.ledger.crypto import public_bytes, verify_ed25519, verify_ed25519_openssl
from corridor.ledger.envelope import seal, unseal
from corridor.ledger.keys import KeyHistory
from corridor.ledger.merkle import leaf_hash
from corridor.ledger.note import Cosigner, Signer
from corridor.ledger.reader import TileHashes
from corridor.ledger.sequencer import Sequencer
from corridor.ledger.store import LogStore
from corridor.ledger.tiles import TileWriter
from corridor.ledger.verify import Source, verify_log
from corridor.ledger.witness import Witness, serve

ORIGIN = "bench.corridor.example/log"


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


# -- primitives -----------------------------------------------------------------------------------------

def ed25519_verifications_per_second(n: int = 5000, verify=verify_ed25519) -> float:
    """Through `verify_ed25519` (libsodium), or the binding given (bench/signatures.py compares them)."""
    key = Ed25519PrivateKey.generate()
    public, message = public_bytes(key), b"x" * 300
    signature = key.sign(message)
    started = time.perf_counter()
    for _ in range(n):
        verify(public, message, signature)
    return per_second(n, time.perf_counter() - started)


def leaf_hashes_per_second(n: int = 200_000) -> float:
    entry = b"x" * 300
    started = time.perf_counter()
    for _ in range(n):
        leaf_hash(entry)
    return per_second(n, time.perf_counter() - started)


def sqlite_commits_per_second(directory: Path, n: int = 200) -> float:
    db = sqlite3.connect(directory / "primitive.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (x BLOB)")
    started = time.perf_counter()
    for _ in range(n):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t VALUES (?)", (b"x" * 300,))
        db.execute("COMMIT")
    db.close()
    return per_second(n, time.perf_counter() - started)


# -- figures ----------------------------------------------------------------------------------------------

def signed_statements(n: int) -> tuple[list[bytes], KeyHistory]:
    operator = Ed25519PrivateKey.generate()
    parties = {f"org-{i}": Ed25519PrivateKey.generate() for i in range(10)}
    history = KeyHistory([("operator", public_bytes(operator))])
    entries = []
    for seq, (party, key) in enumerate(parties.items(), start=1):
        entries.append(seal({"type": "key.register", "party": "operator", "seq": seq, "time": "2024-01-01T00:00:00Z",
                             "payload": {"party": party, "public": base64.b64encode(public_bytes(key)).decode()}},
                            operator))
    names = list(parties)
    for i in range(n):
        party = names[i % len(names)]
        entries.append(seal({"type": "plan.consent", "party": party, "seq": i // len(names) + 1,
                             "time": "2024-01-01T00:00:00Z", "plan": f"plan-{i // 8:06d}",
                             "payload": {"version": "ab" * 32, "conditions": ["Notify 48 h ahead"]}}, parties[party]))
    return entries, history


def durable_appends(directory: Path, n: int) -> float:
    """Unseal, check the signature against the key history, append in batches of 256 (one commit each)."""
    entries, history = signed_statements(n)
    store = LogStore(directory / "appends.db", directory / "appends", ORIGIN, Signer.generate(ORIGIN))
    started = time.perf_counter()
    for start in range(0, len(entries), 256):
        batch = entries[start : start + 256]
        for offset, entry in enumerate(batch):
            history.check(start + offset, unseal(entry))
        store.append(batch)
    elapsed = time.perf_counter() - started
    store.close()
    return per_second(len(entries), elapsed)


def checkpoint_latency(directory: Path, witnesses: int, seconds: float, rate: float) -> tuple[float, float]:
    """Submit at a steady rate; latency = time until a published checkpoint covers the entry."""
    signer = Signer.generate(ORIGIN)
    cosigning, servers = None, []
    if witnesses:
        endpoints = []
        for i in range(witnesses):
            cosigner = Cosigner.generate(f"witness.bench/{i}")
            server = serve(Witness(directory / f"w{i}-{witnesses}.db", cosigner, {ORIGIN: [signer.verifier]}),
                           "127.0.0.1", 0)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
            endpoints.append(WitnessEndpoint(f"http://127.0.0.1:{server.server_address[1]}", cosigner.verifier))
        cosigning = Cosigning(endpoints, quorum=witnesses)
    store = LogStore(directory / f"lat{witnesses}.db", directory / f"lat{witnesses}", ORIGIN, signer)
    sequencer = Sequencer(store, cosigning=cosigning).start()
    submitted: list[tuple[object, float]] = []
    start = time.monotonic()
    for n in range(int(seconds * rate)):  # a steady stream: submissions do not wait for each other
        time.sleep(max(0.0, start + n / rate - time.monotonic()))
        submitted.append((sequencer.submit(os.urandom(200)), time.monotonic()))
    time.sleep(1.5)
    sequencer.stop()
    for server in servers:
        server.shutdown()
    latencies = []
    for future, moment in submitted:
        index = future.result()
        published = next(t for size, t in sequencer.publications if size > index)
        latencies.append(published - moment)
    quantiles = statistics.quantiles(latencies, n=100)
    return quantiles[49], quantiles[98]


def build_log(directory: Path, size: int) -> tuple[Path, Signer]:
    """A throwaway tiled log of `size` small entries (files written without fsync: setup, not measured)."""
    signer = Signer.generate(ORIGIN)
    root = directory / f"log-{size}"
    writer = TileWriter(root, ORIGIN, signer, durable=False)
    step = 65536
    for start in range(0, size, step):
        entries = [f"entry {i}".encode() for i in range(start, min(size, start + step))]
        writer.append(entries, [leaf_hash(e) for e in entries])
    writer.publish_checkpoint()
    return root, signer


def proof_latency(root: Path, size: int, warm: bool, samples: int = 2000) -> tuple[float, float]:
    """p50/p99 of one inclusion proof read from tiles: with a fresh reader each time (cold tile cache),
    or with one long-lived reader as a server keeps it (LRU of 1,024 tiles)."""
    rng, times = random.Random(size), []
    shared = TileHashes(Source(str(root)), size)
    for _ in range(samples):
        reader = shared if warm else TileHashes(Source(str(root)), size)
        started = time.perf_counter()
        reader.inclusion(rng.randrange(size))
        times.append(time.perf_counter() - started)
    quantiles = statistics.quantiles(times, n=100)
    return quantiles[49], quantiles[98]


def _seal_chunk(args: tuple[int, int, list[bytes]]) -> list[bytes]:
    """Worker: seal statements [start, end) round-robin over the parties' keys (benchmark setup)."""
    start, end, seeds = args
    keys = [Ed25519PrivateKey.from_private_bytes(seed) for seed in seeds]
    return [seal({"type": "plan.consent", "party": f"org-{i % len(keys)}", "seq": i // len(keys) + 1,
                  "time": "2024-01-01T00:00:00Z", "plan": f"plan-{i // 8:07d}",
                  "payload": {"version": "ab" * 32, "conditions": ["Notify 48 h ahead"]}}, keys[i % len(keys)])
            for i in range(start, end)]


def corridor_log(directory: Path, size: int) -> tuple[Path, Signer, list[tuple[str, bytes]]]:
    """A Corridor log of `size` signed statements by 10 registered parties (setup, not measured)."""
    from concurrent.futures import ProcessPoolExecutor

    operator = Ed25519PrivateKey.generate()
    seeds = [os.urandom(32) for _ in range(10)]
    publics = [public_bytes(Ed25519PrivateKey.from_private_bytes(seed)) for seed in seeds]
    entries = [seal({"type": "key.register", "party": "operator", "seq": n + 1, "time": "2024-01-01T00:00:00Z",
                     "payload": {"party": f"org-{n}", "public": base64.b64encode(public).decode()}}, operator)
               for n, public in enumerate(publics)]
    chunks = [(start, min(size, start + 20_000), seeds) for start in range(0, size - len(entries), 20_000)]
    with ProcessPoolExecutor() as pool:
        for sealed in pool.map(_seal_chunk, chunks):
            entries += sealed
    entries = entries[:size]
    signer = Signer.generate(ORIGIN)
    root = directory / f"corridor-{size}"
    writer = TileWriter(root, ORIGIN, signer, durable=False)
    writer.append(entries, [leaf_hash(e) for e in entries])
    writer.publish_checkpoint()
    return root, signer, [("operator", public_bytes(operator))]


def full_verification(directory: Path, size: int, openssl: bool = False) -> tuple[float, float, int, float | None]:
    """Seconds for the tree (checkpoint, tiles, root) and for every entry's signature and key; with `openssl`,
    also the entries' seconds with the envelope's check switched to the OpenSSL binding, as before issue 12
    (the audit's workers are forked after the switch, so they use it too)."""
    from corridor.ledger import crypto, envelope
    from corridor.ledger.audit import audit_entries

    root, signer, registrars = corridor_log(directory, size)
    started = time.perf_counter()
    report = verify_log(Source(str(root)), signer.verifier)
    tree_seconds = time.perf_counter() - started
    started = time.perf_counter()
    audit_entries(report.entries, registrars)
    entries_seconds = time.perf_counter() - started
    openssl_seconds = None
    if openssl:
        envelope.verify_ed25519 = verify_ed25519_openssl
        try:
            started = time.perf_counter()
            audit_entries(report.entries, registrars)
            openssl_seconds = time.perf_counter() - started
        finally:
            envelope.verify_ed25519 = crypto.verify_ed25519
    return tree_seconds, entries_seconds, report.size, openssl_seconds


# -- the log at scale: a service's data directory, its writer's memory, proofs over HTTP ----------------------

PYTHON, ROOT = sys.executable, Path(__file__).resolve().parent.parent
SCALE_PORT = int(os.environ.get("CORRIDOR_BENCH_PORT", "8151"))


def service_env(data: Path) -> dict[str, str]:
    return {**os.environ, "CORRIDOR_DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'corridor.sqlite3'}",
            "CORRIDOR_ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SETTINGS_MODULE": "corridor.service.settings"}


def child(data: Path, *argv: str) -> dict:
    """Run one step of this benchmark in a fresh process (its memory is then its own) and return its JSON."""
    done = subprocess.run([PYTHON, __file__, "--child", argv[0], str(data), *argv[1:]], env=service_env(data),
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def scale_log(keep: Path, size: int) -> Path:
    """A migrated service data directory whose log holds `size` small entries (built once, then reused)."""
    data = keep / f"svc-{size}"
    if not (data / "built").is_file():
        data.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([PYTHON, "-m", "corridor.cli", "migrate"], env=service_env(data), capture_output=True,
                              text=True, cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        built = child(data, "build", str(size))
        print(f"  built a log of {built['size']:,} entries in {built['seconds']:.0f} s ({data})", flush=True)
        (data / "built").write_text(str(size))
    return data


def _service_store(data: Path, durable: bool = True) -> LogStore:
    """The service's log, opened the way its worker opens it (same tables, tiles, key and origin)."""
    import django

    django.setup()
    from corridor.service.config import CONFIG
    from corridor.service.ledger.keys import log_signer

    return LogStore(data / "corridor.sqlite3", CONFIG.tiles_dir, CONFIG.log_origin, log_signer(), durable=durable)


def child_build(data: Path, size: int) -> dict:
    started = time.perf_counter()
    store, step = _service_store(data, durable=False), 65536  # tiles without fsync: setup, not measured
    while (first := store.sequenced_size()) < size:
        store.append([b'{"bench":%d}' % i for i in range(first, min(size, first + step))])
        store.integrate(step)
    store.publish()
    return {"size": store.tree_state()[0], "seconds": time.perf_counter() - started}


def child_writer(data: Path) -> dict:
    """What the log writer does, with its peak RSS: open (recover), append and integrate 1,024 entries, publish,
    2,000 inclusion and 200 consistency proofs (what witnesses are sent)."""
    import django

    django.setup()
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the interpreter, Django, the ledger code
    started = time.perf_counter()
    store = _service_store(data)
    opened = time.perf_counter() - started
    for _ in range(4):
        store.append([os.urandom(100) for _ in range(256)])
    store.integrate(4096)
    store.publish()
    size = store.tree_state()[0]
    rng = random.Random(size)
    started = time.perf_counter()
    for _ in range(2000):
        store.inclusion(rng.randrange(size))
    proofs = (time.perf_counter() - started) / 2000
    for _ in range(200):
        store.hashes.consistency(rng.randrange(1, size), size)
    return {"size": size, "open_seconds": opened, "floor_mb": floor, "proof_seconds": proofs,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_memory_tree(data: Path) -> dict:
    """Before issue 12, for comparison: the writer held every complete subtree hash (`merkle.MemoryTree`)."""
    from corridor.ledger.merkle import MemoryTree

    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    db, tree = sqlite3.connect(data / "corridor.sqlite3"), MemoryTree()
    for (leaf,) in db.execute("SELECT leaf FROM entries ORDER BY idx"):
        tree.append_hash(bytes(leaf))
    return {"size": tree.size, "floor_mb": floor, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_inprocess_proofs(data: Path) -> dict:
    """The primitive beside proofs over HTTP: one kept reader over the same tiles, warm, in this process."""
    tiles = data / "log" / "tiles"
    note = (tiles / "checkpoint").read_text()
    size = int(note.split("\n")[1])
    reader, rng = TileHashes(Source(str(tiles)), size), random.Random(1)
    for _ in range(2000):
        reader.inclusion(rng.randrange(size))
    times = []
    for _ in range(3000):
        index = rng.randrange(size)
        started = time.perf_counter()
        reader.inclusion(index)
        times.append(time.perf_counter() - started)
    quantiles = statistics.quantiles(times, n=100)
    return {"p50": quantiles[49], "p99": quantiles[98], "size": size}


def child_wsgi_cpu(data: Path, samples: int = 3000) -> dict:
    """The server's own work per request without the machine's scheduling: the WSGI application the web server runs
    (`corridor.service.wsgi`), called in this process for proofs and for the checkpoint, each call's CPU time
    (this thread's, so time spent descheduled on a shared machine is not counted); p50/p99 of each."""
    import io

    from corridor.service import wsgi

    size = int((data / "log" / "tiles" / "checkpoint").read_text().split("\n")[1])
    rng, times = random.Random(size), {"proof": [], "floor": []}
    for n in range(300 + samples):
        for kind in times:
            path = f"/log/proof/{rng.randrange(size)}" if kind == "proof" else "/log/checkpoint"
            environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
                       "SERVER_PORT": str(SCALE_PORT), "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
                       "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http",
                       "wsgi.errors": sys.stderr}
            started = time.thread_time()
            body = wsgi.application(environ, lambda status, headers, exc_info=None: None)
            b"".join(body)
            getattr(body, "close", lambda: None)()
            if n >= 300:  # after the warm-up
                times[kind].append(time.thread_time() - started)
    result = {}
    for kind, series in times.items():
        q = statistics.quantiles(series, n=100)
        result[kind] = {"p50": q[49], "p99": q[98], "mean": statistics.fmean(series)}
    return result


def http_latencies(port: int, paths: list[str], keep_alive: bool = False) -> list[float]:
    """Seconds for each GET, through one kept connection (as a verifier or mirror fetching many proofs does;
    HTTP/1.1 keep-alive, the web server as `corridor serve` runs it) or a new connection each
    (TCP set-up and teardown included). Both measure the floor and the proofs alike."""
    times, connection = [], None
    for path in paths:
        started = time.perf_counter()
        connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        if not keep_alive or response.will_close:
            connection.close()
            connection = None
        times.append(time.perf_counter() - started)
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status}")
    if connection:
        connection.close()
    return times


def serve_http(data: Path, port: int, workers: int = 2) -> subprocess.Popen:
    """The web server as `corridor serve` runs it (its default threads per worker)."""
    from corridor.commands.service import THREADS, web_server

    server = subprocess.Popen(web_server(f"127.0.0.1:{port}", workers, THREADS), env=service_env(data), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            http_latencies(port, ["/log/checkpoint"] * 8)  # every worker has loaded the application
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the web server did not start")


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """User + system CPU of the web server's processes so far (from /proc): what requests cost the server, which a
    shared machine's scheduling does not inflate the way it inflates wall-clock tails."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def proofs_over_http(data: Path, samples: int = 3000, rounds: int = 10) -> dict:
    """p50/p99 of GET /log/proof/N for random N (uniform over the whole log: most level-0 tiles are not
    cached), sequentially, beside GET /log/checkpoint (the HTTP floor: same server, the same client), each
    through one kept connection and through a new connection per request; and the server's CPU per request
    for each. The four series are run in turns, `rounds` times, so that a shared machine's changing load
    falls on them alike."""
    size = int((data / "log" / "tiles" / "checkpoint").read_text().split("\n")[1])
    server, rng = serve_http(data, SCALE_PORT), random.Random(size)
    times = {(kind, kept): [] for kind in ("proof", "floor") for kept in (True, False)}
    cpu = dict.fromkeys(times, 0.0)
    try:
        http_latencies(SCALE_PORT, [f"/log/proof/{rng.randrange(size)}" for _ in range(300)])  # both workers warm
        for _ in range(rounds):
            for kind, kept in times:
                count = samples // rounds
                paths = ([f"/log/proof/{rng.randrange(size)}" for _ in range(count)] if kind == "proof"
                         else ["/log/checkpoint"] * count)
                before = server_cpu_seconds(server)
                times[kind, kept] += http_latencies(SCALE_PORT, paths, keep_alive=kept)
                cpu[kind, kept] += server_cpu_seconds(server) - before
    finally:
        server.terminate()
        server.wait()
    result = {"size": size}
    for (kind, kept), series in times.items():
        q = statistics.quantiles(series, n=100)
        result[kind, kept] = {"p50": q[49], "p99": q[98], "cpu": cpu[kind, kept] / len(series)}
    return result


def mirror_speed(data: Path, keep: Path, sha: float) -> None:
    """`corridor log mirror` of the whole log (from the directory, then over HTTP from the service), and an
    incremental run after the log grew by 1,024 entries; entries/s beside leaf hashes/s (each entry is
    hashed once to check its bundle against its tile)."""
    import shutil

    from corridor.ledger.mirror import mirror

    tiles = data / "log" / "tiles"
    trust = child(data, "trust")["text"]
    results = {}
    for kind in ("directory", "http"):
        target = keep / f"mirror-{kind}-{data.name}"
        shutil.rmtree(target, ignore_errors=True)
        server = serve_http(data, SCALE_PORT) if kind == "http" else None
        try:
            location = f"http://127.0.0.1:{SCALE_PORT}/log" if server else str(tiles)
            results[kind] = mirror(Source(location), target, trust)
        finally:
            if server:
                server.terminate()
                server.wait()
    grown = child(data, "writer")  # the writer appends 1,024 entries (and its figures are printed below)
    server = serve_http(data, SCALE_PORT)
    try:
        results["incremental"] = mirror(Source(f"http://127.0.0.1:{SCALE_PORT}/log"), keep / f"mirror-http-{data.name}",
                                        trust)
    finally:
        server.terminate()
        server.wait()
    for kind, result in results.items():
        entries = result.new_size - result.old_size
        rate = entries / result.seconds
        print(f"mirror ({kind}) {result.old_size:,} -> {result.new_size:,}: {result.files:,} files, "
              f"{result.bytes / 1e6:.1f} MB in {result.seconds:.2f} s = {rate:,.0f} entries/s "
              f"({rate / sha:.3f} x leaf hash/s), {result.bytes / 1e6 / result.seconds:.1f} MB/s", flush=True)
    return grown


def run_scale(keep: Path, sizes: list[int], mirror: bool = False, proofs_only: bool = False) -> None:
    sha = leaf_hashes_per_second()
    print(f"primitive: SHA-256 leaf hash {sha:,.0f}/s (this run)")
    for size in sizes:
        data = scale_log(keep, size)
        if proofs_only:
            report_http(proofs_over_http(data), child(data, "inprocess"), child(data, "wsgi"), sha)
            continue
        writer = mirror_speed(data, keep, sha) if mirror and size == min(sizes) else child(data, "writer")
        print(f"log writer at {writer['size']:,} entries: peak RSS {writer['peak_mb']:.0f} MB (interpreter + Django"
              f" + code alone {writer['floor_mb']:.0f} MB, so {writer['peak_mb'] - writer['floor_mb']:.0f} MB for the"
              f" log); open {writer['open_seconds'] * 1000:.0f} ms; inclusion proof {writer['proof_seconds'] * 1e6:.0f}"
              f" µs = {writer['proof_seconds'] * sha:.0f} leaf-hash-times", flush=True)
        if size <= 1_000_000:
            before = child(data, "memorytree")
            held = before["peak_mb"] - before["floor_mb"]
            print(f"  before (every subtree hash in memory, as until issue 12): {held:.0f} MB for the log at "
                  f"{before['size']:,} entries", flush=True)
        inproc = child(data, "inprocess")
        report_http(proofs_over_http(data), inproc, child(data, "wsgi"), sha)


def report_http(http: dict, inproc: dict, wsgi_cpu: dict, sha: float) -> None:
    print(f"inclusion proof over HTTP at {http['size']:,} entries (granian as `corridor serve`: 2 workers x "
          f"threads; sequential requests; load average {os.getloadavg()[0]:.1f}):")
    for kept in (True, False):
        proof, floor = http["proof", kept], http["floor", kept]
        own = proof["cpu"] - floor["cpu"]
        print(f"  {'one kept connection   ' if kept else 'a connection a request'}: p50 {proof['p50'] * 1000:.2f} ms, "
              f"p99 {proof['p99'] * 1000:.2f} ms  (HTTP floor /log/checkpoint p50 {floor['p50'] * 1000:.2f} ms, p99 "
              f"{floor['p99'] * 1000:.2f} ms); server CPU per request: proof {proof['cpu'] * 1000:.2f} ms, "
              f"/log/checkpoint {floor['cpu'] * 1000:.2f} ms (the proof's own: {own * 1000:.2f} ms = "
              f"{own * sha:.0f} leaf-hash-times)", flush=True)
    proof, floor = wsgi_cpu["proof"], wsgi_cpu["floor"]
    print(f"  the WSGI application called in-process, CPU time a call (no HTTP, no scheduling): proof p50 "
          f"{proof['p50'] * 1e6:.0f} µs, p99 {proof['p99'] * 1e6:.0f} µs, mean {proof['mean'] * 1e6:.0f} µs; "
          f"/log/checkpoint p50 {floor['p50'] * 1e6:.0f} µs, p99 {floor['p99'] * 1e6:.0f} µs, mean "
          f"{floor['mean'] * 1e6:.0f} µs", flush=True)
    print(f"  kept reader in-process (the primitive under the proof): p50 {inproc['p50'] * 1e6:.0f} µs, p99 "
          f"{inproc['p99'] * 1e6:.0f} µs = {inproc['p99'] * sha:.0f} leaf-hash-times", flush=True)


def child_trust(data: Path) -> dict:
    import django

    django.setup()
    from corridor.service.ledger.keys import trust_text

    return {"text": trust_text()}


def run_child(argv: list[str]) -> None:
    step, data, rest = argv[0], Path(argv[1]), argv[2:]
    result = {"build": lambda: child_build(data, int(rest[0])), "writer": lambda: child_writer(data),
              "inprocess": lambda: child_inprocess_proofs(data), "trust": lambda: child_trust(data),
              "memorytree": lambda: child_memory_tree(data),
              "wsgi": lambda: child_wsgi_cpu(data)}[step]()
    print(json.dumps(result))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        return run_child(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=20_000)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--proof-sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--verify-size", type=int, default=1_000_000)
    parser.add_argument("--only-verification", action="store_true", help="only the full verification figure")
    parser.add_argument("--compare-openssl", action="store_true",
                        help="with --only-verification: check the entries again with the OpenSSL binding")
    parser.add_argument("--scale", type=int, nargs="+", metavar="SIZE",
                        help="only the log-at-scale figures (writer RSS, proofs over HTTP) at these sizes")
    parser.add_argument("--keep", type=Path, default=Path("/tmp/corridor-bench-log"),
                        help="where --scale keeps the logs it builds (reused by later runs)")
    parser.add_argument("--mirror", action="store_true",
                        help="with --scale: also time `corridor log mirror` (at the smallest size)")
    parser.add_argument("--proofs-only", action="store_true",
                        help="with --scale: only the proofs over HTTP and in-process (the log is not grown)")
    args = parser.parse_args()
    if args.scale:
        return run_scale(args.keep, args.scale, args.mirror, args.proofs_only)
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp), args)


def run(tmp: Path, args: argparse.Namespace) -> None:
    ed, sha, commits = ed25519_verifications_per_second(), leaf_hashes_per_second(), sqlite_commits_per_second(tmp)
    openssl = ed25519_verifications_per_second(verify=verify_ed25519_openssl)
    print(f"primitives: Ed25519 verify {ed:,.0f}/s (libsodium; OpenSSL {openssl:,.0f}/s) | "
          f"SHA-256 leaf hash {sha:,.0f}/s | fsync'd SQLite commit {commits:,.0f}/s")
    if args.only_verification:
        return report_full_verification(tmp, args.verify_size, ed, openssl if args.compare_openssl else None)
    rate = durable_appends(tmp, args.appends)
    print(f"durable appends with signature check: {rate:,.0f} entries/s  = {rate / ed:.2f} x Ed25519 verify/s"
          f" (batches of 256 share one fsync'd commit)")
    for witnesses in (0, 3):
        p50, p99 = checkpoint_latency(tmp, witnesses, args.latency_seconds, rate=200)
        print(f"append-to-checkpoint latency, {witnesses} witnesses: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
              f"  (batch ≤250 ms, checkpoints ≥0.25 s apart, ≥1 s with witnesses; = {p99 * commits:.0f} commit-times)")
    logs = {}
    for size in args.proof_sizes:
        started = time.perf_counter()
        logs[size] = build_log(tmp, size)
        built = time.perf_counter() - started
        for warm in (False, True):
            p50, p99 = proof_latency(logs[size][0], size, warm)
            print(f"inclusion proof from tiles at {size:,} entries ({'server cache' if warm else 'cold'}): "
                  f"p50 {p50 * 1e6:.0f} µs, p99 {p99 * 1e6:.0f} µs  (p99 = {p99 * sha:.0f} leaf-hash-times;"
                  f" log built in {built:.0f} s)")
    report_full_verification(tmp, args.verify_size, ed)


def report_full_verification(tmp: Path, size: int, ed: float, openssl: float | None = None) -> None:
    tree, entries, count, before = full_verification(tmp, size, openssl=openssl is not None)
    print(f"full verification of {count:,} signed statements: {tree + entries:.1f} s = tree, tiles and checkpoint "
          f"{tree:.1f} s + every entry's key and signature {entries:.1f} s on {os.cpu_count()} cores "
          f"({count / entries:,.0f} entries/s = {count / entries / ed:.2f} x one core's Ed25519 verify/s)")
    if before is not None and openssl:
        print(f"  the same entries checked with the OpenSSL binding (as before issue 12): {before:.1f} s "
              f"({count / before:,.0f} entries/s = {count / before / openssl:.2f} x one core's OpenSSL verify/s); "
              f"libsodium {before / entries:.2f}x as fast")


if __name__ == "__main__":
    main()
