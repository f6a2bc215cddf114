"""The third-party test vectors (../shared/vectors, unmodified; see tests/shared.py for where they are
looked for and why a missing one fails in CI)."""

import json
import re
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


_SECTION = re.compile(r"^## (.+?) ## \{#(sctn-test-vectors-[\w-]+)\}$", re.MULTILINE)
_BLOCK = re.compile(r"\[=(registration|authentication) ceremony\|\w+=\]:\s*<xmp[^>]*>(.*?)</xmp>", re.DOTALL)
_HEX = re.compile(r"^(\w+) = h'([0-9a-f]*)'", re.MULTILINE)


def webauthn_vectors() -> list[dict]:
    """The WebAuthn Level 3 test vectors (test-vectors-section.bs, read as it is): for each section with a
    registration and an authentication, {"id", "title", "registration": {name: bytes}, "authentication":
    {name: bytes}}, from the CDDL hex literals `name = h'…'`."""
    text = vectors_dir("webauthn", "test-vectors-section.bs").read_text()
    sections = list(_SECTION.finditer(text))
    found = []
    for number, heading in enumerate(sections):
        end = sections[number + 1].start() if number + 1 < len(sections) else len(text)
        blocks = {kind: {name: bytes.fromhex(value) for name, value in _HEX.findall(body)}
                  for kind, body in _BLOCK.findall(text[heading.end():end])}
        if {"registration", "authentication"} <= set(blocks):
            found.append({"id": heading.group(2), "title": heading.group(1), **blocks})
    return found
