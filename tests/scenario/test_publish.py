"""A scenario written to a signed log verifies end to end: tree, checkpoint, every party's signature."""

from pathlib import Path

from corridor.cli import main

SCENARIO = Path(__file__).parents[2] / "scenarios" / "two-roads.yaml"


def test_two_roads_log_verifies_and_names_every_signature(tmp_path, capsys):
    log = tmp_path / "log"
    assert main(["scenario", "run", str(SCENARIO), "--log", str(log)]) == 0
    assert "corridor verify" in capsys.readouterr().out
    assert main(["verify", str(log / "tiles"), "--trust", str(log / "trust.txt"),
                 "--state", str(tmp_path / "state.json")]) == 0
    out = capsys.readouterr().out
    assert "43 entries" in out and "43 entry signatures checked" in out  # 7 key registrations + 36 statements
