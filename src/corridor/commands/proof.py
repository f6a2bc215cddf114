"""`corridor proof INDEX --source DIR|URL`: write a tlog-proof for one entry, and the entry itself."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..ledger.evidence import Evidence
from ..ledger.reader import TileHashes
from ..ledger.verify import Source, VerificationError, parse_bundle

TILE_WIDTH = 256


def add(commands: argparse._SubParsersAction) -> None:
    proof = commands.add_parser("proof", help="write the evidence (C2SP tlog-proof) for one log entry")
    proof.add_argument("index", type=int, help="index of the entry in the log")
    proof.add_argument("--source", required=True, help="the log: a tiles directory or an http(s) URL")
    proof.add_argument("-o", "--output", required=True, help="proof file to write (.tlog-proof)")
    proof.add_argument("--entry-output", help="also write the entry's bytes here")
    proof.set_defaults(handler=proof_command)


def proof_command(args: argparse.Namespace) -> int:
    source = Source(args.source)
    try:
        note = (source.read("checkpoint") or b"").decode()
        size = int(note.split("\n")[1])
        if not 0 <= args.index < size:
            print(f"corridor proof: entry {args.index} is not in the log (size {size})", file=sys.stderr)
            return 2
        proof = TileHashes(source, size).inclusion(args.index)
        entry = read_entry(source, args.index, size)
    except (VerificationError, ValueError, IndexError) as error:
        print(f"corridor proof: cannot read the log at {args.source}: {error}", file=sys.stderr)
        return 1
    Path(args.output).write_text(Evidence(args.index, proof, note).encode())
    if args.entry_output:
        Path(args.entry_output).write_bytes(entry)
    print(f"wrote proof of entry {args.index} in the log of size {size} to {args.output}")
    return 0


def read_entry(source: Source, index: int, size: int) -> bytes:
    """The entry's bytes, from the one bundle that holds it."""
    bundle, offset = divmod(index, TILE_WIDTH)
    width = min(TILE_WIDTH, size - bundle * TILE_WIDTH)
    path = TileHashes.bundle_path(bundle, width)
    data = source.read(path)
    if data is None:
        raise VerificationError(path, "missing")
    return parse_bundle(path, data, width)[offset]
