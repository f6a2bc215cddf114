"""The `corridor` command."""

from __future__ import annotations

import argparse
import json
import sys

from .scenario import ScenarioError, load_scenario, run_scenario
from .scenario.report import render_text, run_report


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.handler(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="corridor", description="Humanitarian passages on a public signed log.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    scenario = commands.add_parser("scenario", help="run a scenario file through the engine")
    scenario_commands = scenario.add_subparsers(required=True, metavar="ACTION")
    run = scenario_commands.add_parser("run", help="print the timeline and summary of a scenario")
    run.add_argument("file", help="scenario file (YAML)")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.set_defaults(handler=_scenario_run)
    return parser


def _scenario_run(args: argparse.Namespace) -> int:
    try:
        run = run_scenario(load_scenario(args.file))
    except ScenarioError as error:
        print(f"{args.file}:{error}", file=sys.stderr)
        if error.statement is not None:
            print(f"statement: {json.dumps(error.statement, ensure_ascii=False)}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    print(json.dumps(run_report(run), indent=2, ensure_ascii=False) if args.json else render_text(run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
