"""Where the third-party test vectors live: ../shared/vectors beside the repository, used unmodified.

Found through CORRIDOR_SHARED_DIR, else the nearest `shared/` beside the checkout or one of its parents,
else /work/shared. Missing vectors skip with a notice — unless CORRIDOR_REQUIRE_VECTORS=1 (set by .ci/run),
in which case they fail: CI never passes by skipping.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path | None:
    candidates = [Path(os.environ["CORRIDOR_SHARED_DIR"])] if os.environ.get("CORRIDOR_SHARED_DIR") else []
    candidates += [parent / "shared" for parent in REPO.parents] + [Path("/work/shared")]
    return next((c for c in candidates if (c / "vectors").is_dir()), None)


def vectors_dir(*parts: str) -> Path:
    shared = shared_dir()
    path = shared.joinpath("vectors", *parts) if shared else None
    if path is None or not path.exists():
        message = f"test vectors not found ({'/'.join(parts)}): set CORRIDOR_SHARED_DIR to the shared/ folder"
        if os.environ.get("CORRIDOR_REQUIRE_VECTORS") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message, allow_module_level=True)
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
