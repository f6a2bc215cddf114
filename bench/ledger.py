"""Benchmarks of the public log, each printed beside the raw primitive it rests on (same run).

    .venv/bin/python bench/ledger.py                      # all figures, 1M-entry log for proofs/verify
    .venv/bin/python bench/ledger.py --proof-sizes 1000000 10000000
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import sqlite3
import statistics
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
    or with one long-lived reader as a server keeps it (LRU of 4,096 tiles)."""
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


def full_verification(directory: Path, size: int) -> tuple[float, float, int]:
    """Seconds for the tree (checkpoint, tiles, root) and for every entry's signature and key."""
    from corridor.ledger.audit import audit_entries

    root, signer, registrars = corridor_log(directory, size)
    started = time.perf_counter()
    report = verify_log(Source(str(root)), signer.verifier)
    tree_seconds = time.perf_counter() - started
    started = time.perf_counter()
    audit_entries(report.entries, registrars)
    return tree_seconds, time.perf_counter() - started, report.size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=20_000)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--proof-sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--verify-size", type=int, default=1_000_000)
    parser.add_argument("--only-verification", action="store_true", help="only the full verification figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp), args)


def run(tmp: Path, args: argparse.Namespace) -> None:
    ed, sha, commits = ed25519_verifications_per_second(), leaf_hashes_per_second(), sqlite_commits_per_second(tmp)
    openssl = ed25519_verifications_per_second(verify=verify_ed25519_openssl)
    print(f"primitives: Ed25519 verify {ed:,.0f}/s (libsodium; OpenSSL {openssl:,.0f}/s) | "
          f"SHA-256 leaf hash {sha:,.0f}/s | fsync'd SQLite commit {commits:,.0f}/s")
    if args.only_verification:
        return report_full_verification(tmp, args.verify_size, ed)
    rate = durable_appends(tmp, args.appends)
    print(f"durable appends with signature check: {rate:,.0f} entries/s  = {rate / ed:.2f} x Ed25519 verify/s"
          f" (batches of 256 share one fsync'd commit)")
    for witnesses in (0, 3):
        p50, p99 = checkpoint_latency(tmp, witnesses, args.latency_seconds, rate=200)
        print(f"append-to-checkpoint latency, {witnesses} witnesses: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
              f"  (batch ≤250 ms, checkpoint ≤1/s; = {p99 * commits:.0f} commit-times)")
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


def report_full_verification(tmp: Path, size: int, ed: float) -> None:
    tree, entries, count = full_verification(tmp, size)
    print(f"full verification of {count:,} signed statements: {tree + entries:.1f} s = tree, tiles and checkpoint "
          f"{tree:.1f} s + every entry's key and signature {entries:.1f} s on {os.cpu_count()} cores "
          f"({count / entries:,.0f} entries/s = {count / entries / ed:.2f} x one core's Ed25519 verify/s)")


if __name__ == "__main__":
    main()
