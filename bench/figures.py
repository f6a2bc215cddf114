"""Benchmark: computing and writing every public table (what the worker publishes at a checkpoint, and what
`corridor audit` writes) from the engine's state at ~10k, ~100k and ~1M statements.

The state comes from bench/engine_fold.py's realistic mix (about ten statements per plan). Prints, per size,
the seconds to build the rows (`figures.tables.public_tables`) and to write them in CSV, HXL and JSON, beside
the raw primitive the writing rests on, measured in the same run: msgspec JSON encoding of the same rows.

    .venv/bin/python bench/figures.py                        # 1,000, 10,000 and 100,000 plans
    .venv/bin/python bench/figures.py --plans 1000 10000     # quicker
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import msgspec

sys.path.insert(0, str(Path(__file__).parent))
from corridor.engine import State, apply
from corridor.engine.statements import parse_statement_json
from corridor.figures import formats
from corridor.figures.tables import TABLES, public_tables
from corridor.ledger.checkpoint import Checkpoint
from engine_fold import generate, registry  # a sibling bench script (bench/ is not a package)

CHECKPOINT = Checkpoint("bench.example/log", 1, bytes(32))


def folded_state(path: Path) -> State:
    parties, routes = registry()
    state = State.with_registry(parties, routes)
    with path.open("rb") as lines:
        for line in lines:
            apply(state, parse_statement_json(line))
    return state


def measure(plans: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "statements.jsonl"
        statements = generate(plans, path)
        state = folded_state(path)
    # the tables read only the state and how incidents were signed (this mix has no incident)
    fold = SimpleNamespace(state=state, incident_signers={})
    started = time.perf_counter()
    tables = public_tables(fold)
    rows_seconds = time.perf_counter() - started
    started = time.perf_counter()
    written = sum(len(formats.render(TABLES[name], rows, fmt, CHECKPOINT))
                  for name, rows in tables.items() for fmt in ("csv", "hxl", "json"))
    write_seconds = time.perf_counter() - started
    rows = [row for table in tables.values() for row in table]
    encoder = msgspec.json.Encoder(decimal_format="string")
    started = time.perf_counter()
    for _ in range(3):  # the three formats
        for row in rows:
            encoder.encode(row)
    encode_seconds = time.perf_counter() - started
    return {"plans": plans, "statements": statements, "rows": len(rows), "rows_seconds": rows_seconds,
            "write_seconds": write_seconds, "bytes": written, "encode_seconds": encode_seconds}


def report(result: dict) -> None:
    total = result["rows_seconds"] + result["write_seconds"]
    print(f"{result['statements']:>9,} statements ({result['plans']:,} plans): {result['rows']:,} rows; "
          f"rows {result['rows_seconds']:.2f}s + files {result['write_seconds']:.2f}s = {total:.2f}s "
          f"for {result['bytes'] / 1e6:,.1f} MB in 3 formats")
    print(f"{'':>10} primitive: msgspec encodes the same rows 3 times in {result['encode_seconds']:.2f}s; "
          f"publishing costs {total / result['encode_seconds']:.1f}x that")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    for plans in parser.parse_args().plans:
        report(measure(plans))


if __name__ == "__main__":
    main()
