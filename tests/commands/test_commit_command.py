"""`corridor commit`: the commitment a self-signing party signs, and the salt it keeps for the reveal."""

from __future__ import annotations

import json

from corridor.cli import main
from corridor.ledger.commitments import plate_value, verify_reveal, window_value


def printed(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_window_and_plate_commitments_open_with_the_printed_salt(capsys):
    assert main(["commit", "window", "--start", "2023-09-18T07:00:00Z", "--end", "2023-09-18T08:00:00Z"]) == 0
    out = printed(capsys)
    assert verify_reveal(window_value("2023-09-18T07:00:00Z", "2023-09-18T08:00:00Z"), out["salt"], out["commitment"])
    assert main(["commit", "plate", "AB 123"]) == 0
    out = printed(capsys)
    assert verify_reveal(plate_value("AB 123"), out["salt"], out["commitment"])
    assert main(["commit", "crew", "--name", "A. Driver", "--document", "P-1"]) == 0
    assert len(printed(capsys)["commitment"]) == 64


def test_a_reversed_window_is_refused(capsys):
    assert main(["commit", "window", "--start", "2023-09-18T08:00:00Z", "--end", "2023-09-18T07:00:00Z"]) == 2
    assert "slot.invalid" in capsys.readouterr().out
