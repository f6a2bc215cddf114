"""Where the shared real data lives (never copied into the repo): ../shared/data, or CORRIDOR_SHARED_DIR."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CANDIDATES = [Path(os.environ["CORRIDOR_SHARED_DIR"])] if os.environ.get("CORRIDOR_SHARED_DIR") else []
CANDIDATES += [Path(__file__).resolve().parents[3] / "shared", Path("/work/shared")]


def shared_data(relative: str) -> Path:
    for root in CANDIDATES:
        path = root / "data" / relative
        if path.is_file():
            return path
    message = f"shared data file {relative} not found under {', '.join(map(str, CANDIDATES))}"
    if os.environ.get("CORRIDOR_REQUIRE_VECTORS") == "1":
        pytest.fail(message)
    pytest.skip(message)
