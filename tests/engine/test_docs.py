"""The public list of error codes in docs/rules.md stays complete."""

from pathlib import Path

from corridor.engine import CODES

RULES_DOC = Path(__file__).parents[2] / "docs" / "rules.md"


def test_every_error_code_is_documented():
    text = RULES_DOC.read_text()
    assert [code for code in CODES if f"| `{code}` |" not in text] == []


def test_every_statement_type_is_documented_for_scenario_writers():
    from corridor.engine.statements import PAYLOADS

    text = (RULES_DOC.parent / "scenarios.md").read_text()
    assert [kind for kind in PAYLOADS if f"`{kind}`" not in text] == []
