"""A scenario that breaks a rule stops with the code, the statement and its line in the file."""

from pathlib import Path

from corridor.cli import main

SCENARIO = Path(__file__).parents[2] / "scenarios" / "two-roads.yaml"


def broken_copy(tmp_path, old, new):
    text = SCENARIO.read_text()
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1))
    return path, text.splitlines()


def test_go_before_inspection_names_code_and_line(tmp_path, capsys):
    # The road-A vehicle is held instead of cleared, so the barrier must refuse "go".
    path, lines = broken_copy(tmp_path, "    decision: cleared\n", "    decision: held\n")
    assert main(["scenario", "run", str(path)]) == 2
    err = capsys.readouterr().err
    go_line = next(i for i, line in enumerate(lines, 1) if "do: plan.go, plan: two-roads" in line)
    assert f"line {go_line}: [barrier.not_ready]" in err
    assert '"type": "plan.go"' in err


def test_unreadable_yaml_is_reported(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("statements: [unclosed\n")
    assert main(["scenario", "run", str(path)]) == 2
    assert "not valid YAML" in capsys.readouterr().err


def test_missing_file_is_reported(tmp_path, capsys):
    assert main(["scenario", "run", str(tmp_path / "nope.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_route_naming_an_unregistered_party_is_reported(tmp_path, capsys):
    path, _ = broken_copy(tmp_path, "{party: customs, capacity: customs}", "{party: tax-office, capacity: customs}")
    assert main(["scenario", "run", str(path)]) == 2
    assert "tax-office" in capsys.readouterr().err


def test_statement_missing_its_actor_is_reported_with_line(tmp_path, capsys):
    path, _ = broken_copy(tmp_path, "  - {at: 2023-09-11T09:30:00Z, by: escort,", "  - {at: 2023-09-11T09:30:00Z,")
    assert main(["scenario", "run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 64:" in err and "needs at least `at`, `by` and `do`" in err


def test_float_in_a_scenario_is_refused(tmp_path, capsys):
    path, _ = broken_copy(tmp_path, "quantity: 18000, unit: kg", "quantity: 18000.5, unit: kg")
    assert main(["scenario", "run", str(path)]) == 2
    assert "[quantity.invalid]" in capsys.readouterr().err
