"""Every stable error code the service can answer is documented (docs/api.md's table, or docs/rules.md,
docs/log.md and docs/operations.md for the engine's, the log's and the commands'). Codes are found in
the source where refusals are raised, so a new code without its line in the docs fails here."""

from __future__ import annotations

import re
from pathlib import Path

from corridor.service.api.errors import CODE_OF_STATUS
from corridor.service.imports.filetype import FileTypeError

ROOT = Path(__file__).parents[2]
RAISED = re.compile(r"(?:Refused|ManifestError|FileTypeError|WorkbookError|EnvelopeError)\(\s*\"([a-z_]+\.[a-z_]+)\"")


def documented() -> str:
    return "".join((ROOT / "docs" / name).read_text() for name in ("api.md", "rules.md", "log.md", "operations.md"))


def raised_codes() -> set[str]:
    sources = [*(ROOT / "src" / "corridor" / "service").rglob("*.py"),
               *(ROOT / "src/corridor/ledger" / name for name in ("envelope.py", "keys.py", "passkeys.py"))]
    found = {code for path in sources for code in RAISED.findall(path.read_text())}
    found |= {code for code, _ in CODE_OF_STATUS.values()}
    for prefix in ("manifest", "import"):  # filetype.require(…, prefix=…) answers <prefix>.empty and <prefix>.type
        found |= {f"{prefix}.empty", f"{prefix}.type"}
    return found


def test_every_code_the_service_raises_is_documented():
    text = documented()
    assert len(raised_codes()) > 30
    assert sorted(code for code in raised_codes() if f"`{code}`" not in text) == []


def test_file_type_errors_carry_a_code():
    assert FileTypeError("import.type", "x").code == "import.type"
