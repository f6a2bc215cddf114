"""For a party that keeps its own key: `corridor keys party -o FILE` makes an Ed25519 statement key, and
`corridor sign` seals a statement with it, ready to POST to /api/v1/statements. No server is involved."""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..engine import RuleViolation, parse_statement
from ..engine.statements import parse_key_statement
from ..engine.times import format_time
from ..ledger.crypto import public_bytes
from ..ledger.envelope import EnvelopeError, key_id, seal
from ..ledger.keys import KEY_STATEMENTS


def add(commands: argparse._SubParsersAction) -> None:
    sign = commands.add_parser("sign", help="seal a statement with a key the party keeps (prints the entry)")
    sign.add_argument("--key", required=True, help="the party's key file (from `corridor keys party`)")
    sign.add_argument("--party", required=True)
    sign.add_argument("--seq", required=True, type=int, help="the party's next statement number")
    sign.add_argument("--type", required=True, help="statement type, e.g. plan.consent")
    sign.add_argument("--plan", help="the plan the statement is about")
    sign.add_argument("--payload", default="{}", help="the payload as JSON")
    sign.add_argument("--time", help="RFC 3339 UTC time (default: now)")
    sign.set_defaults(handler=sign_command)


def add_party_key(actions: argparse._SubParsersAction) -> None:
    party = actions.add_parser("party", help="write a party's Ed25519 statement key; print its public key")
    party.add_argument("-o", "--output", required=True, help="private key file to create (mode 0600)")
    party.set_defaults(handler=party_key_command)


def party_key_command(args: argparse.Namespace) -> int:
    key = Ed25519PrivateKey.generate()
    try:
        descriptor = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        print(f"corridor keys: {args.output} exists; not overwriting a key", file=sys.stderr)
        return 2
    with os.fdopen(descriptor, "w") as out:
        out.write(base64.b64encode(key.private_bytes_raw()).decode() + "\n")
    public = public_bytes(key)
    print(f"public key (base64): {base64.b64encode(public).decode()}\nkey id: {key_id(public)}")
    return 0


def sign_command(args: argparse.Namespace) -> int:
    try:
        key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(Path(args.key).read_text().strip()))
        statement = {"type": args.type, "party": args.party, "seq": args.seq,
                     "time": args.time or format_time(int(time.time())), "payload": json.loads(args.payload)}
        if args.plan:
            statement["plan"] = args.plan
        (parse_key_statement if args.type in KEY_STATEMENTS else parse_statement)(statement)
        sys.stdout.buffer.write(seal(statement, key) + b"\n")
    except (OSError, ValueError) as error:
        print(f"corridor sign: {error}", file=sys.stderr)
        return 2
    except (RuleViolation, EnvelopeError) as error:
        print(f"corridor sign: [{error.code}] {error.message}", file=sys.stderr)
        return 1
    return 0
