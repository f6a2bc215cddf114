"""`corridor witness serve`: run a c2sp.org/tlog-witness for one or more logs."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from ..ledger.note import Cosigner, NoteError, parse_signer, parse_verifier
from ..ledger.witness import Witness, serve


def add(commands: argparse._SubParsersAction) -> None:
    witness = commands.add_parser("witness", help="run a witness that cosigns consistent checkpoints")
    actions = witness.add_subparsers(required=True, metavar="ACTION")
    run = actions.add_parser("serve", help="serve POST /add-checkpoint")
    run.add_argument("--db", required=True, help="SQLite file keeping the latest checkpoint per log")
    run.add_argument("--key-file", required=True, help="file holding the witness's PRIVATE+KEY (cosignature/v1)")
    run.add_argument("--log", action="append", required=True, metavar="VKEY",
                     help="verifier key of a log to witness (its name is the log's origin); repeatable")
    run.add_argument("--listen", default="127.0.0.1:7380", help="host:port (default 127.0.0.1:7380)")
    run.set_defaults(handler=serve_command)


def serve_command(args: argparse.Namespace) -> int:
    try:
        cosigner = parse_signer(Path(args.key_file).read_text())
        logs: dict = {}
        for text in args.log:
            key = parse_verifier(text)
            logs.setdefault(key.name, []).append(key)
    except (OSError, NoteError) as error:
        print(f"corridor witness: {error}", file=sys.stderr)
        return 2
    if not isinstance(cosigner, Cosigner):
        print("corridor witness: the key file must hold a cosignature/v1 key (see `corridor keys`)", file=sys.stderr)
        return 2
    host, _, port = args.listen.rpartition(":")
    server = serve(Witness(Path(args.db), cosigner, logs), host or "127.0.0.1", int(port))
    print(f"witness {cosigner.name} on http://{args.listen} for {', '.join(logs)}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0
