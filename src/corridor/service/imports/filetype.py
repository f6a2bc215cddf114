"""What a file is, from its first bytes rather than its name, so that a wrong file (an XLSX given where a
CSV is expected, an image, an empty file) is refused with a plain message and a stable code before any
parser meets it. Used by manifest uploads and by `corridor import`."""

from __future__ import annotations

SIGNATURES = (
    (b"PK\x03\x04", "xlsx"),  # a ZIP container: XLSX (or another office format openpyxl will refuse)
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel (.xls) workbook: save it as .xlsx or CSV"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
)
WANTED = {"csv": "a CSV file (UTF-8 text)", "xlsx": "an XLSX workbook", "manifest": "a CSV or XLSX manifest"}
HEAD_BYTES = 4096


class FileTypeError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def kind_of(head: bytes) -> str:
    """"empty", "xlsx", "csv", or a description of what else the file is."""
    if not head:
        return "empty"
    for magic, kind in SIGNATURES:
        if head.startswith(magic):
            return kind
    return "binary data" if b"\x00" in head[:HEAD_BYTES] else "csv"


def require(head: bytes, wanted: str, name: str, prefix: str = "file") -> str:
    """The file's kind if it is one of `wanted` ("csv", "xlsx" or "manifest": either); else refuse with
    `<prefix>.empty` or `<prefix>.type`."""
    kind = kind_of(head)
    if kind == "empty":
        raise FileTypeError(f"{prefix}.empty", f"{name} is empty")
    if kind == wanted or (wanted == "manifest" and kind in ("csv", "xlsx")):
        return kind
    what = {"csv": "text (CSV)", "xlsx": "an XLSX workbook"}.get(kind, kind)
    raise FileTypeError(f"{prefix}.type", f"{name} is {what}, not {WANTED[wanted]}")


def head_of(path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(HEAD_BYTES)
