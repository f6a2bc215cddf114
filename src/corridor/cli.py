"""The `corridor` command: each family of subcommands lives in `corridor.commands`."""

from __future__ import annotations

import argparse
import os
import sys

from .commands import (
    audit,
    briefing,
    commit,
    data,
    keys,
    log,
    permit,
    proof,
    scenario,
    service,
    sign,
    trust,
    verify,
    witness,
)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # the reader stopped reading (`corridor verify ... | head`): not a failure to report
        # Python's own advice: point stdout at /dev/null, so that flushing it at exit raises nothing either
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="corridor", description="Humanitarian passages on a public signed log.")
    commands = root.add_subparsers(required=True, metavar="COMMAND")
    for family in (scenario, verify, audit, briefing, proof, witness, keys, sign, commit, service, data, trust, log,
                   permit):
        family.add(commands)
    return root


if __name__ == "__main__":
    sys.exit(main())
