"""`corridor keys generate NAME [--witness]`: make a signed-note key pair; `corridor keys party`: a party's
statement key."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..ledger.note import Cosigner, Signer
from . import sign


def add(commands: argparse._SubParsersAction) -> None:
    keys = commands.add_parser("keys", help="generate log, witness and party keys")
    actions = keys.add_subparsers(required=True, metavar="ACTION")
    generate = actions.add_parser("generate", help="write a private key file and print its verifier key")
    generate.add_argument("name", help="key name: the log's origin, or the witness's name")
    generate.add_argument("--witness", action="store_true", help="a witness (cosignature/v1) key")
    generate.add_argument("-o", "--output", required=True, help="private key file to create (mode 0600)")
    generate.set_defaults(handler=generate_command)
    sign.add_party_key(actions)


def generate_command(args: argparse.Namespace) -> int:
    key = (Cosigner if args.witness else Signer).generate(args.name)
    path = Path(args.output)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        print(f"corridor keys: {path} exists; not overwriting a key", file=sys.stderr)
        return 2
    with os.fdopen(descriptor, "w") as out:
        out.write(key.encode() + "\n")
    print(key.verifier.encode())
    return 0
