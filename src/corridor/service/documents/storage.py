"""Where a document's bytes are kept and what they must be.

A document is judged by its content, never by its name or the type the browser claims: a PDF begins with
`%PDF-` and ends with `%%EOF`, a PNG has its signature, a header chunk first and an end chunk last, a JPEG
starts with a start-of-image marker and ends with an end-of-image one. A file that is none of these, or is
cut short (an interrupted scan, a partial download), is refused with a stable code before anything is kept.

The bytes are kept once per content, under `<data dir>/documents/<first two hex digits>/<sha256>`, readable
by the service's user only (0600 in 0700 directories), written to a temporary file and renamed into place,
so a reader never meets half a file and two uploads of the same document leave one copy.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ...ledger.tiles import write_atomically
from ..config import CONFIG
from ..ledger.record import Refused

CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
EXTENSIONS = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg"}
TAIL_BYTES = 1024  # where a PDF's %%EOF or a JPEG's end marker may be (writers pad a few bytes after it)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_HEADER = b"\x00\x00\x00\x0dIHDR"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


@dataclass(frozen=True)
class Checked:
    """A file that passed: what it is and its digest."""

    kind: str
    sha256: str
    size: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def check(data: bytes, name: str) -> Checked:
    """The document's kind and SHA-256, or Refused (document.empty, document.too_large, document.type,
    document.damaged)."""
    if not data:
        raise Refused("document.empty", f"{name} is empty")
    if len(data) > CONFIG.max_upload_bytes:
        raise Refused("document.too_large", f"{name} is larger than {CONFIG.max_upload_bytes:,} bytes", 413)
    kind = kind_of(data)
    if kind is None:
        raise Refused("document.type", f"{name} is not a PDF, PNG or JPEG file (judged by its content, not its name)")
    if not complete(kind, data):
        raise Refused("document.damaged", f"{name} begins as a {kind.upper()} file but is cut short or damaged: "
                                          "upload the whole file again")
    return Checked(kind, hashlib.sha256(data).hexdigest(), len(data))


def kind_of(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def complete(kind: str, data: bytes) -> bool:
    """Whether the file ends as its kind ends (a truncated upload does not)."""
    tail = data[-TAIL_BYTES:].rstrip(b"\x00\r\n\t ")
    if kind == "pdf":
        return b"%%EOF" in tail
    if kind == "png":
        return data[8:16] == PNG_HEADER and tail.endswith(PNG_END)
    return len(data) > 4 and tail.endswith(b"\xff\xd9")


def directory() -> Path:
    return CONFIG.data_dir / "documents"


def path_of(sha256: str) -> Path:
    return directory() / sha256[:2] / sha256


def keep(data: bytes, checked: Checked) -> Path:
    """Write the bytes under their digest (once: a second upload of the same content keeps the first)."""
    path = path_of(checked.sha256)
    if path.is_file() and path.stat().st_size == checked.size:
        os.utime(path)  # uploaded again now: the sweep of unsigned uploads (sweep.py) counts its age from here
        return path
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_atomically(path, data, mode=0o600)  # the log's own write: temp file, fsync, rename, fsync the folder
    return path


def read(sha256: str) -> bytes | None:
    """The bytes kept under `sha256`, if they are there and still hash to it (a damaged disk is not served)."""
    path = path_of(sha256)
    if not path.is_file():
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == sha256 else None
