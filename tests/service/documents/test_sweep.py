"""Uploads never signed into a plan (no plan.note names them) are swept by the worker once a day old: the row,
and the bytes unless another plan's row holds the same content; signed ones, younger ones and shared bytes
stay. Bytes no row holds at all go once they are a day old."""

from __future__ import annotations

import hashlib
import io
import os
import time

import pytest

from corridor.commands import service as commands
from corridor.service import clock
from corridor.service.documents import operations, storage, sweep
from corridor.service.documents.models import Document

from ..web import stages
from ..web.test_pages import signed_in
from .files import JPEG, PDF, PNG

pytestmark = pytest.mark.django_db
DAY = 86400


@pytest.fixture(autouse=True)
def private_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "directory", lambda: tmp_path / "documents")
    return tmp_path / "documents"


def signed_upload(data: bytes, name: str) -> str:
    """Uploaded on the plan page: kept, and its plan.note signed by org-a."""
    file = io.BytesIO(data)
    file.name = name
    with clock.frozen_at(stages.T + 100):
        signed_in("org-a").post("/plans/p1/documents", {"as": "org-a", "document": file}, follow=True)
    return hashlib.sha256(data).hexdigest()


def unsigned_upload(data: bytes, plan: str = "p1") -> str:
    """Kept for the plan, but its note never signed (a passkey dialog cancelled)."""
    return operations.attach(operations.Upload(data, "scan.png", "", "photo"), plan, "org-a", None)["sha256"]


def later(seconds: int) -> int:
    return int(time.time()) + seconds  # rows and files are dated by the machine's clock


def test_an_unsigned_upload_a_day_old_is_swept_and_a_signed_one_stays(parties, private_directory):
    stages.submitted(parties)
    signed, unsigned = signed_upload(PDF, "note.pdf"), unsigned_upload(PNG)
    assert storage.path_of(unsigned).is_file() and Document.objects.count() == 2
    assert sweep.sweep(now=later(3600)) == 0  # an hour old: it may still be signed
    assert Document.objects.count() == 2 and storage.path_of(unsigned).is_file()
    assert sweep.sweep(now=later(DAY + 60)) == 1
    assert list(Document.objects.values_list("sha256", flat=True)) == [signed]
    assert not storage.path_of(unsigned).exists() and storage.read(signed) == PDF


def test_bytes_another_plan_signed_stay_when_one_plan_never_signed_them(parties):
    stages.submitted(parties)
    stages.submitted(parties, plan="p2", at=stages.T + 10)
    unsigned_upload(PDF, plan="p2")  # the same content, never noted on p2
    shared = signed_upload(PDF, "note.pdf")
    assert sweep.sweep(now=later(DAY + 60)) == 0
    assert list(Document.objects.values_list("plan_id", flat=True)) == ["p1"] and storage.read(shared) == PDF


def test_bytes_no_row_holds_go_once_a_day_old(parties, private_directory):
    old, fresh = (storage.check(data, "f") for data in (JPEG, PNG))
    for data, checked in ((JPEG, old), (PNG, fresh)):
        storage.keep(data, checked)
    aged = time.time() - DAY - 60
    os.utime(storage.path_of(old.sha256), (aged, aged))
    assert sweep.sweep(now=int(time.time())) == 1
    assert not storage.path_of(old.sha256).exists() and storage.path_of(fresh.sha256).is_file()


def test_an_upload_of_the_same_content_again_is_not_swept_under_it(parties):
    checked = storage.check(JPEG, "f")
    storage.keep(JPEG, checked)
    aged = time.time() - DAY - 60
    os.utime(storage.path_of(checked.sha256), (aged, aged))
    storage.keep(JPEG, checked)  # uploaded again now: its row is about to be written
    assert sweep.sweep(now=int(time.time())) == 0 and storage.read(checked.sha256) == JPEG


def test_the_workers_pass_sweeps_at_most_once_an_hour(parties, monkeypatch):
    stages.submitted(parties)
    unsigned = unsigned_upload(PNG)
    monkeypatch.setattr(sweep, "_last_sweep", [float("-inf")])
    monkeypatch.setattr(sweep.clock, "now", lambda: later(DAY + 60))
    commands._outbox_pass()
    assert not Document.objects.exists() and not storage.path_of(unsigned).exists()
    unsigned_upload(PNG)
    commands._outbox_pass()  # within the hour: not swept again
    assert Document.objects.count() == 1
