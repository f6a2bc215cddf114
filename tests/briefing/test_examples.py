"""The example briefings committed under docs/examples are the two-roads log's, figure for figure: each is
audited against the log committed beside it (the figures and the checkpoint; `make examples` makes both
again, and the whole-document comparison is `corridor audit --briefing`'s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.briefing.audit import audit_document
from corridor.briefing.command import loader
from corridor.ledger.trustfile import read_trust

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
LOG = EXAMPLES / "two-roads-log"
FILES = sorted(EXAMPLES.glob("briefing-2023-09-11-2023-09-19-*.html")) + \
    sorted(EXAMPLES.glob("briefing-2023-09-11-2023-09-19-*.pdf"))


def test_the_examples_are_there():
    assert {path.name for path in FILES} == {f"briefing-2023-09-11-2023-09-19-{lang}.{fmt}"
                                             for lang in ("en", "ar") for fmt in ("html", "pdf")}
    assert (EXAMPLES / "briefing-2023-09-11-2023-09-19-en.png").is_file()


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_every_figure_of_the_example_is_the_committed_logs(path):
    trust = read_trust(LOG / "trust.txt")
    result = audit_document(path.read_bytes(), loader(str(LOG / "tiles"), trust), trust)
    figures = [d.line() for d in result.differences if d.what != "document"]
    assert figures == [] and result.figures_checked > 140
    assert result.claimed.checkpoint.witnesses == ["witness.example/w1"] and result.notes == []
