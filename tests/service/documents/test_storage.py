"""A document is judged by its content: PDF, PNG and JPEG pass whole; anything else, an empty file, a file
cut short or one over the size limit is refused with a stable code. Bytes are kept once, privately."""

from __future__ import annotations

import dataclasses
import hashlib
import stat

import pytest

from corridor.service.config import CONFIG
from corridor.service.documents import storage
from corridor.service.ledger.record import Refused

from .files import JPEG, PDF, PNG


@pytest.fixture(autouse=True)
def private_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "directory", lambda: tmp_path / "documents")
    return tmp_path / "documents"


@pytest.mark.parametrize(("data", "kind", "content_type"), [
    (PDF, "pdf", "application/pdf"), (PNG, "png", "image/png"), (JPEG, "jpeg", "image/jpeg"),
], ids=["pdf", "png", "jpeg"])
def test_a_whole_pdf_png_or_jpeg_passes_with_its_digest(data, kind, content_type):
    checked = storage.check(data, "scan")
    assert (checked.kind, checked.content_type, checked.size) == (kind, content_type, len(data))
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("data", "code"), [
    (b"", "document.empty"),
    (b"<html><script>alert(1)</script></html>", "document.type"),
    (b"PK\x03\x04 a workbook", "document.type"),
    (b"GIF89a" + b"\x00" * 20, "document.type"),
    (PDF[: len(PDF) // 2], "document.damaged"),
    (PNG[:-12], "document.damaged"),
    (JPEG[:-2], "document.damaged"),
], ids=["empty", "html", "zip", "gif", "pdf-cut", "png-cut", "jpeg-cut"])
def test_anything_else_is_refused_by_its_content(data, code):
    with pytest.raises(Refused) as refused:
        storage.check(data, "letter.pdf")
    assert refused.value.code == code and "letter.pdf" in refused.value.message


def test_a_file_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(storage, "CONFIG", dataclasses.replace(CONFIG, max_upload_bytes=len(PDF) - 1))
    with pytest.raises(Refused) as refused:
        storage.check(PDF, "big.pdf")
    assert (refused.value.code, refused.value.status) == ("document.too_large", 413)


def test_bytes_are_kept_once_readable_by_the_service_only(private_directory):
    checked = storage.check(PDF, "letter.pdf")
    path = storage.keep(PDF, checked)
    assert storage.keep(PDF, checked) == path and path == private_directory / checked.sha256[:2] / checked.sha256
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert storage.read(checked.sha256) == PDF
    assert [p.name for p in path.parent.iterdir()] == [checked.sha256]  # no temporary file left behind


def test_damaged_bytes_on_disk_are_not_served(private_directory):
    checked = storage.check(PNG, "photo.png")
    storage.keep(PNG, checked).write_bytes(PNG[:-1] + b"\x00")
    assert storage.read(checked.sha256) is None
    assert storage.read("0" * 64) is None
