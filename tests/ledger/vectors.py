"""Where the third-party test vectors live (../shared/vectors, used unmodified)."""

import json
import shutil
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


def tessera_log_copy(tmp_path: Path) -> tuple[Path, str, str]:
    """A writable copy of the Tessera test log (without Tessera's private .state/), its public and
    private key strings."""
    root = vectors_dir("tessera", "testdata")
    keys = dict(line.split("=", 1) for line in (root / "KEYS.txt").read_text().splitlines() if "=" in line)
    target = tmp_path / "log"
    shutil.copytree(root / "log", target, ignore=shutil.ignore_patterns(".state"))
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target, keys["LOG_PUBLIC_KEY"], keys["LOG_PRIVATE_KEY"]
