"""`make test` leaves the checkout clean: browser tests write their screenshots to docs/screenshots only
when CORRIDOR_SCREENSHOTS=1 asks (make screenshots), otherwise to a scratch directory."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .browser import DOCS_SCREENSHOTS, screenshots_dir


def test_screenshots_go_to_a_scratch_directory_by_default(monkeypatch):
    monkeypatch.delenv("CORRIDOR_SCREENSHOTS", raising=False)
    assert screenshots_dir() == Path(tempfile.gettempdir()) / "corridor-screenshots"
    assert DOCS_SCREENSHOTS not in screenshots_dir().parents


def test_screenshots_go_to_the_docs_when_asked(monkeypatch):
    monkeypatch.setenv("CORRIDOR_SCREENSHOTS", "1")
    assert screenshots_dir() == DOCS_SCREENSHOTS == Path(__file__).parents[3] / "docs" / "screenshots"
