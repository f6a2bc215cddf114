"""Checkpoint bodies (c2sp.org/tlog-checkpoint): round trip and every malformation."""

import base64

import pytest

from corridor.ledger.checkpoint import Checkpoint, CheckpointError, parse_checkpoint

ROOT = bytes(range(32))


def test_round_trip_with_extensions():
    checkpoint = Checkpoint("example.com/log", 42, ROOT, ("ext one", "ext two"))
    assert parse_checkpoint(checkpoint.body()) == checkpoint
    assert checkpoint.body().startswith("example.com/log\n42\n")


@pytest.mark.parametrize("body", [
    "example.com/log\n42\n",                                                  # no root
    f"example.com/log\n042\n{base64.b64encode(ROOT).decode()}\n",             # leading zero
    f"example.com/log\n-1\n{base64.b64encode(ROOT).decode()}\n",              # negative
    f"\n42\n{base64.b64encode(ROOT).decode()}\n",                             # empty origin
    "example.com/log\n42\nnot base64!\n",
    f"example.com/log\n42\n{base64.b64encode(ROOT[:31]).decode()}\n",         # short root
    f"example.com/log\n42\n{base64.b64encode(ROOT).decode()}\n\n",           # empty extension line
    f"example.com/log\n42\n{base64.b64encode(ROOT).decode()}",               # no final newline
])
def test_malformed_bodies_are_refused(body):
    with pytest.raises(CheckpointError):
        parse_checkpoint(body)
