"""The third-party test vectors (../shared/vectors, unmodified; see tests/shared.py for where they are
looked for and why a missing one fails in CI)."""

import json
import shutil
from pathlib import Path

from tests.shared import shared_path


def vectors_dir(*parts: str) -> Path:
    return shared_path("vectors", *parts)


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
