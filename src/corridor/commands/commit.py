"""For a party that signs its own statements: `corridor commit` makes the salted commitment the log
carries instead of a clear value (a slot's window, a plate, a crew member), and prints the salt to keep
for the reveal. No server is involved."""

from __future__ import annotations

import argparse
import json

from ..engine import RuleViolation
from ..ledger.commitments import commit, crew_value, plate_value, window_value
from ..privacy import PrivacyError, commit_window


def add(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("commit", help="make a salted commitment to sign instead of a clear value")
    kinds = parser.add_subparsers(required=True, metavar="KIND")
    window = kinds.add_parser("window", help="a slot's window (sign {\"slot\", \"window\": commitment})")
    window.add_argument("--start", required=True, help="RFC 3339 UTC, e.g. 2023-09-18T07:00:00Z")
    window.add_argument("--end", required=True)
    window.set_defaults(handler=window_command)
    plate = kinds.add_parser("plate", help="a vehicle's plate (sign it as the vehicle's \"plate\")")
    plate.add_argument("plate")
    plate.set_defaults(handler=lambda args: _print(plate_value(args.plate)))
    crew = kinds.add_parser("crew", help="a crew member (sign it in the leg's \"crew\"; never revealed)")
    crew.add_argument("--name", required=True)
    crew.add_argument("--document", required=True)
    crew.set_defaults(handler=lambda args: _print(crew_value(args.name, args.document)))


def window_command(args: argparse.Namespace) -> int:
    try:
        commit_window({"slot": "-", "start": args.start, "end": args.end})  # checks the times and their order
    except (PrivacyError, RuleViolation) as error:
        print(f"corridor commit: {error}", flush=True)
        return 2
    return _print(window_value(args.start, args.end))


def _print(value: dict) -> int:
    salt, commitment = commit(value)
    print(json.dumps({"value": value, "salt": salt, "commitment": commitment}, indent=2))
    return 0
