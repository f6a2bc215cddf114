"""The documents form on the plan page in chromium: as it comes (no file chosen: the browser asks for one,
nothing is signed), and with a scanned note verbale chosen, titled and uploaded: the plan.note is on the
log with the file's hash, and the party downloads the very file back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from corridor.service import clock
from corridor.service.documents import storage
from corridor.service.ledger.models import LogEntry, StatementIndex
from corridor.service.parties.operations import do_create_user

from ..documents.files import pdf
from . import stages
from .browser import browser_page  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


@pytest.fixture(autouse=True)
def private_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "directory", lambda: tmp_path / "documents")


def test_the_documents_form_as_it_comes_and_with_a_note_verbale(parties, browser_page):  # noqa: F811
    stages.submitted(parties)
    do_create_user("org-officer", "org-a", "officer", password=PASSWORD)
    page = browser_page
    form = page.page.locator("form.upload-document")
    with clock.frozen_at(stages.T + 300):
        page.sign_in("org-officer", PASSWORD)
        page.open("/plans/p1")
        form.locator("button[type=submit]").click()  # as it comes: no file chosen
        assert form.locator('input[type="file"]').evaluate("input => input.validity.valueMissing")
        assert not StatementIndex.objects.filter(type="plan.note").exists()
        scan = pdf("Note verbale No. 123/2023: passage on 18 September")
        form.locator('input[type="file"]').set_input_files(
            files=[{"name": "nv-123.pdf", "mimeType": "application/pdf", "buffer": scan}])
        form.locator('[name="kind"]').select_option("note_verbale")
        form.locator('[name="title"]').fill("Note verbale No. 123/2023")
        form.locator("button[type=submit]").click()
        page.page.wait_for_load_state("networkidle")
    assert "recorded on the plan" in page.page.locator(".messages").inner_text()
    note = StatementIndex.objects.get(type="plan.note")
    statement = json.loads(bytes(LogEntry.objects.get(idx=note.idx).data))["statement"]
    digest = hashlib.sha256(scan).hexdigest()
    assert statement["party"] == "org-a" and statement["payload"] == {
        "sha256": digest, "kind": "note_verbale", "title": "Note verbale No. 123/2023"}
    section = page.page.locator("section.documents")
    assert "Note verbale No. 123/2023" in section.inner_text() and digest in section.inner_text()
    with page.page.expect_download() as download:
        section.get_by_role("link", name="Download").click()
    assert Path(download.value.path()).read_bytes() == scan
    assert download.value.suggested_filename == f"note-verbale-no-1232023-{digest[:8]}.pdf"
    section.scroll_into_view_if_needed()
    page.screenshot("plan-documents")
    assert page.errors == [] and page.foreign_requests() == []
