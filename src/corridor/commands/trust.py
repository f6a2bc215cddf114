"""`corridor trust DATA_DIR [-o FILE]`: the trust file of a service's log, from its data directory (the
same text `GET /log/trust.txt` serves), for `corridor verify --trust`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add(commands: argparse._SubParsersAction) -> None:
    trust = commands.add_parser("trust", help="write the trust file of a service's log, read from its data dir")
    trust.add_argument("data_dir", metavar="DATA_DIR", help="the service's data directory (CORRIDOR_DATA_DIR)")
    trust.add_argument("-o", "--output", metavar="FILE", help="write it to FILE (default: standard output)")
    trust.set_defaults(handler=trust_command)


def trust_command(args: argparse.Namespace) -> int:
    from ..ledger.tiles import write_atomically
    from ..service.ledger.trust import NoLogHere, trust_text_of

    try:
        text = trust_text_of(Path(args.data_dir))
    except (NoLogHere, ValueError) as error:  # ValueError: a malformed webauthn-origins file
        print(f"corridor trust: {error}", file=sys.stderr)
        return 2
    if args.output:
        write_atomically(Path(args.output), text.encode())  # public, like the log it describes
    else:
        sys.stdout.write(text)
    return 0
