"""The `corridor` command itself: a reader that stops reading (`corridor verify ... | head`) is not an error to
report with a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# a command whose answer is longer than a pipe holds (as `corridor verify` on a large log, or `log entries`)
PRINTS_A_LOT = """
import argparse, sys
from corridor import cli

def answer(args):
    for n in range(200_000):
        print(f"line {n} of a long answer")
    return 0

class Parsed:
    def parse_args(self, argv):
        return argparse.Namespace(handler=answer)

cli.parser = Parsed
sys.exit(cli.main([]))
"""


def test_a_reader_that_stops_reading_gets_no_traceback():
    writer = subprocess.Popen([sys.executable, "-c", PRINTS_A_LOT], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              cwd=ROOT)
    assert writer.stdout.readline().startswith(b"line 0")
    writer.stdout.close()  # as `head -1` does
    stderr = writer.stderr.read().decode()
    assert writer.wait(30) == 1
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
