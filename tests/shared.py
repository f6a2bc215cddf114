"""Where the shared third-party material lives: ../shared/vectors (test vectors) and ../shared/data (real
records from real operations), beside the repository, used unmodified and never copied into it.

Found through CORRIDOR_SHARED_DIR, else the nearest `shared/` beside the checkout or one of its parents,
else /work/shared. Missing material skips with a notice — unless CORRIDOR_REQUIRE_VECTORS=1 (set by
.ci/run), in which case it fails: CI never passes by skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir(kind: str) -> Path | None:
    candidates = [Path(os.environ["CORRIDOR_SHARED_DIR"])] if os.environ.get("CORRIDOR_SHARED_DIR") else []
    candidates += [parent / "shared" for parent in REPO.parents] + [Path("/work/shared")]
    return next((c for c in candidates if (c / kind).is_dir()), None)


def shared_path(kind: str, *parts: str) -> Path:
    """A file or folder under shared/<kind>/ ("vectors" or "data"), or a skip (a failure in CI)."""
    shared = shared_dir(kind)
    path = shared.joinpath(kind, *parts) if shared else None
    if path is None or not path.exists():
        message = f"shared {kind} not found ({'/'.join(parts)}): set CORRIDOR_SHARED_DIR to the shared/ folder"
        if os.environ.get("CORRIDOR_REQUIRE_VECTORS") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message, allow_module_level=True)
    return path
