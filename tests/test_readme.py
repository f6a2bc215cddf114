"""The README's commands say what they do: `log entries --to` includes its last index (as
tests/commands/test_audit.py checks), and `corridor serve` runs the worker, so nothing else needs running."""

from __future__ import annotations

from pathlib import Path

README = (Path(__file__).parents[1] / "README.md").read_text()


def section(title: str) -> str:
    start = README.index(f"### {title}")
    return README[start:README.index("\n### ", start + 1)]


def test_check_the_figures_yourself_says_to_is_included_and_serve_runs_the_worker():
    text = " ".join(section("Check the figures yourself").split())
    assert "`--to` is the last index shown, included" in text
    assert "`make run` (`corridor serve`) runs the worker" in text
    assert "`corridor worker --once` is only for a service started with `--no-worker`" in text
