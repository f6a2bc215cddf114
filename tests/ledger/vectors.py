"""Where the third-party test vectors live (../shared/vectors, used unmodified)."""

import json
from pathlib import Path

import pytest

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors"


def vectors_dir(*parts: str) -> Path:
    path = VECTORS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"test vectors not found at {path} (they live in ../shared/vectors)")
    return path


def strings() -> dict:
    return json.loads(vectors_dir("strings.json").read_text())
