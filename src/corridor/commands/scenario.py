"""`corridor scenario run FILE [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..scenario import ScenarioError, load_scenario, run_scenario
from ..scenario.publish import DirectoryNotEmpty, check_empty, publish_run
from ..scenario.report import render_text, run_report


def add(commands: argparse._SubParsersAction) -> None:
    scenario = commands.add_parser("scenario", help="run a scenario file through the engine")
    actions = scenario.add_subparsers(required=True, metavar="ACTION")
    run = actions.add_parser("run", help="print the timeline and summary of a scenario")
    run.add_argument("file", help="scenario file (YAML)")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.add_argument("--log", metavar="DIR", help="also seal every statement and write them to a signed log in DIR")
    run.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    try:
        if args.log:
            check_empty(Path(args.log))
        run = run_scenario(load_scenario(args.file))
    except DirectoryNotEmpty as error:
        print(f"corridor scenario run: --log {error}", file=sys.stderr)
        return 2
    except ScenarioError as error:
        print(f"{args.file}:{error}", file=sys.stderr)
        if error.statement is not None:
            print(f"statement: {json.dumps(error.statement, ensure_ascii=False)}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    print(json.dumps(run_report(run), indent=2, ensure_ascii=False) if args.json else render_text(run))
    if args.log:
        trust = publish_run(run, Path(args.log))
        print(f"\nSigned log written to {args.log}/tiles; check it, and recompute its figures, with:\n"
              f"  corridor verify {args.log}/tiles --trust {trust}\n"
              f"  corridor audit {args.log}/tiles --trust {trust} --out {args.log}/figures",
              file=sys.stderr if args.json else sys.stdout)
    return 0
