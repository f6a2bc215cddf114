"""The real records of ../shared/data (never copied into the repository; see tests/shared.py)."""

from __future__ import annotations

from pathlib import Path

from tests.shared import shared_path


def shared_data(relative: str) -> Path:
    return shared_path("data", *relative.split("/"))
