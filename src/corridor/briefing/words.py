"""A briefing's figures in the reader's words. The figures (corridor/figures/briefing.py) keep the log's codes
— `border_control`, `mines_uxo`, `submitted → cleared`, 34200 seconds, `passkey border/m3` — and each names
the vocabulary it is a code of (`Figure.words`); here, in the language active, it becomes the words the
pages use for it, from the same tables (service/web/labels.py, ledger/signing_words.py). The rendering shows
these words, the JSON download and the PDF's attachment state them as each figure's `display`, and the audit
recomputes them with this same function: what a cell says is a function of the log and the language alone.
A code a vocabulary does not know reads as itself, as on the pages (a newer log never breaks a briefing).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from ..figures.briefing import Figure


@cache
def _vocabularies() -> dict[str, Callable[[object], str]]:
    from django.utils.translation import gettext

    from ..service.ledger.signing_words import how_signed
    from ..service.web import labels

    def signing(value: object) -> str:
        kind, _, member = str(value or "").partition(" ")
        return how_signed(kind, member or None, gettext) if kind else ""

    named = {name: (lambda code, name=name: labels.label(code, name)) for name in labels.VOCABULARIES}
    return {**named, "stages": labels.stages, "duration": labels.duration, "signing": signing}


def shown(figure: Figure) -> str:
    """What the figure reads as in the active language: its `display`, or its code in words."""
    if not figure.words:
        return figure.display
    return _vocabularies()[figure.words](figure.value)


def shown_all(figures) -> dict[str, str]:
    """id -> what each figure reads as, in the active language."""
    return {figure.id: shown(figure) for figure in figures}
