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
    # the registry (7 parties, 2 routes), 7 key registrations and 36 statements
    assert "52 entries" in out and "52 entry signatures checked" in out
    assert main(["audit", str(log / "tiles"), "--trust", str(log / "trust.txt"), "--out", str(tmp_path / "f")]) == 0
    waiting = (tmp_path / "f" / "waiting.csv").read_text()
    assert "recv,Receiving authority (Khankendi),two-roads,completed,no,,543300" in waiting


def test_a_log_directory_that_is_not_empty_is_refused(tmp_path, capsys):
    log = tmp_path / "log"
    assert main(["scenario", "run", str(SCENARIO), "--log", str(log)]) == 0
    trust = (log / "trust.txt").read_bytes()
    capsys.readouterr()
    assert main(["scenario", "run", str(SCENARIO), "--log", str(log)]) == 2
    out, err = capsys.readouterr()
    assert "not an empty directory" in err and out == ""
    assert (log / "trust.txt").read_bytes() == trust
    assert main(["verify", str(log / "tiles"), "--trust", str(log / "trust.txt"),
                 "--state", str(tmp_path / "state.json")]) == 0
    assert "52 entries" in capsys.readouterr().out


def test_an_empty_log_directory_is_used(tmp_path):
    (tmp_path / "log").mkdir()
    assert main(["scenario", "run", str(SCENARIO), "--log", str(tmp_path / "log")]) == 0
