"""Documents on the plan page: a party uploads a PDF or an image, the service keeps it privately and records
its SHA-256 in a plan.note signed by that party; the plan's parties download it as an attachment, others get
404, and the public page and log carry the title and hash only."""

from __future__ import annotations

import hashlib
import io
import json
import re

import pytest
from django.test import Client

from corridor.service import clock
from corridor.service.documents import storage
from corridor.service.documents.models import Document
from corridor.service.documents.operations import DOCUMENTS_PAGE
from corridor.service.ledger.models import LogEntry, StatementIndex
from corridor.service.parties.operations import do_create_user
from corridor.service.web.refusals import MESSAGES

from ..documents.files import JPEG, PDF, PNG
from ..passages.test_history import notes as record_notes
from . import stages
from .test_pages import signed_in

pytestmark = pytest.mark.django_db
DIGEST = hashlib.sha256(PDF).hexdigest()


@pytest.fixture(autouse=True)
def private_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "directory", lambda: tmp_path / "documents")
    return tmp_path / "documents"


def upload(client: Client, data: bytes = PDF, name: str = "note-123.pdf", **fields):
    file = io.BytesIO(data)
    file.name = name
    with clock.frozen_at(stages.T + 100):
        return client.post("/plans/p1/documents", {"as": "org-a", "document": file, **fields}, follow=True)


def notes() -> list[dict]:
    rows = StatementIndex.objects.filter(type="plan.note").order_by("idx")
    return [json.loads(bytes(LogEntry.objects.get(idx=row.idx).data))["statement"] for row in rows]


def test_an_uploaded_pdf_is_recorded_by_its_hash_signed_by_the_party(parties, private_directory):
    stages.submitted(parties)
    response = upload(signed_in("org-a"), title="Note verbale No. 123/2023", kind="note_verbale")
    assert "Document “Note verbale No. 123/2023” recorded on the plan" in response.content.decode()
    [note] = notes()
    assert (note["party"], note["plan"]) == ("org-a", "p1")
    assert note["payload"] == {"sha256": DIGEST, "kind": "note_verbale", "title": "Note verbale No. 123/2023"}
    assert (private_directory / DIGEST[:2] / DIGEST).read_bytes() == PDF
    document = Document.objects.get()
    assert (document.kind, document.size, document.filename, document.party) == ("pdf", len(PDF), "note-123.pdf",
                                                                                  "org-a")


def test_the_default_form_takes_the_title_from_the_file_name(parties):
    """Only the file chosen, nothing else touched: a note verbale titled after the file."""
    stages.submitted(parties)
    upload(signed_in("org-a"), data=PNG, name="border_permit scan.png")
    [note] = notes()
    assert note["payload"] == {"sha256": hashlib.sha256(PNG).hexdigest(), "kind": "note_verbale",
                               "title": "border permit scan"}


def test_the_plans_parties_download_it_as_an_attachment(parties):
    stages.submitted(parties)
    upload(signed_in("org-a"), title="Note verbale No. 123/2023")
    for party in ("org-a", "border"):
        response = signed_in(party).get(f"/plans/p1/documents/{DIGEST}")
        assert response.status_code == 200 and response.content == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="note-verbale-no-1232023-{DIGEST[:8]}.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]


def test_anyone_else_gets_404_and_the_public_is_sent_to_sign_in(parties):
    stages.submitted(parties)
    upload(signed_in("org-a"))
    for party in ("org-b", "mediator"):
        assert signed_in(party).get(f"/plans/p1/documents/{DIGEST}").status_code == 404
    anonymous = Client().get(f"/plans/p1/documents/{DIGEST}")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert signed_in("border").get(f"/plans/p1/documents/{'0' * 64}").status_code == 404
    assert signed_in("border").get(f"/plans/p2/documents/{DIGEST}").status_code == 404


def test_a_party_not_on_the_plan_cannot_upload_to_it(parties):
    stages.submitted(parties)
    file = io.BytesIO(PDF)
    file.name = "x.pdf"
    response = signed_in("org-b").post("/plans/p1/documents", {"as": "org-b", "document": file})
    assert response.status_code == 404 and not notes() and not Document.objects.exists()


def test_the_public_page_shows_title_and_hash_but_no_file(parties):
    stages.submitted(parties)
    upload(signed_in("org-a"), title="Permit 7", kind="permit")
    page = Client().get("/plans/p1").content.decode()
    section = page[page.index('id="documents"'):]
    assert "Permit 7" in section and DIGEST in section and "Permit or authorisation" in section
    assert f"/plans/p1/documents/{DIGEST}" not in page and "Add a document" not in page
    party_page = signed_in("border").get("/plans/p1").content.decode()
    assert f'href="/plans/p1/documents/{DIGEST}"' in party_page and "Add a document" in party_page
    assert "note-123.pdf" not in page  # the file's name is the uploader's, not the public's


@pytest.mark.parametrize(("data", "name", "code"), [
    (b"<html><script>alert(1)</script></html>", "letter.pdf", "document.type"),
    (PDF[:200], "cut.pdf", "document.damaged"),
    (b"", "empty.pdf", "document.empty"),
], ids=["html-named-pdf", "truncated", "empty"])
def test_a_wrong_file_is_refused_and_nothing_is_recorded(parties, data, name, code):
    stages.submitted(parties)
    response = upload(signed_in("org-a"), data=data, name=name)
    assert str(MESSAGES[code]) in response.content.decode() and f"[{code}]" not in response.content.decode()
    assert not notes() and not Document.objects.exists()


def test_no_file_chosen_is_refused_with_a_plain_message(parties):
    stages.submitted(parties)
    with clock.frozen_at(stages.T + 100):
        response = signed_in("org-a").post("/plans/p1/documents", {"as": "org-a"}, follow=True)
    assert "Choose the file to upload (PDF, PNG or JPEG)." in response.content.decode() and not notes()
    assert response.redirect_chain == [("/plans/p1", 302)]  # the page's top, where it is said, not #documents


def test_a_note_recorded_by_hash_only_is_listed_as_not_held(parties):
    """A note made through the API with a hash alone (the file kept elsewhere) is shown, without a link."""
    stages.submitted(parties)
    digest = hashlib.sha256(JPEG).hexdigest()
    stages.post(parties, "border", "/plans/p1/note", {"sha256": digest, "title": "Photo of seal"}, stages.T + 50)
    page = signed_in("border").get("/plans/p1").content.decode()
    assert "Photo of seal" in page and "not held by this service" in page
    assert signed_in("border").get(f"/plans/p1/documents/{digest}").status_code == 404


def test_a_file_kept_but_never_noted_is_not_served(parties):
    """The log decides which documents a plan has: bytes kept for a note that was never signed stay unseen."""
    stages.submitted(parties)
    checked = storage.check(JPEG, "seal.jpg")
    storage.keep(JPEG, checked)
    assert signed_in("org-a").get(f"/plans/p1/documents/{checked.sha256}").status_code == 404


def test_the_same_file_twice_is_kept_once(parties, private_directory):
    stages.submitted(parties)
    client = signed_in("org-a")
    upload(client, title="First")
    upload(client, title="Again")
    assert [n["payload"]["title"] for n in notes()] == ["First", "Again"]
    assert Document.objects.count() == 1 and len(list(private_directory.rglob("*"))) == 2  # its directory and it


def test_a_title_reaches_the_page_as_text(parties):
    stages.submitted(parties)
    upload(signed_in("org-a"), title='<script>alert("x")</script><b>bold</b>')
    page = Client().get("/plans/p1").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;" in page


def test_a_party_acting_for_two_parties_chooses_which_one_records_it(parties):
    """A user of both the requester and a required party picks the party; a party it does not act for is refused."""
    stages.submitted(parties)
    do_create_user("both", "org-a", "officer", password="a-long-test-password")
    do_create_user("both", "border", "officer", password="a-long-test-password")
    client = Client()
    client.login(username="both", password="a-long-test-password")
    page = client.get("/plans/p1").content.decode()
    assert '<select id="document-as" name="as">' in page
    file = io.BytesIO(PDF)
    file.name = "nv.pdf"
    with clock.frozen_at(stages.T + 100):
        client.post("/plans/p1/documents", {"as": "border", "document": file, "title": "From the border"})
    assert [n["party"] for n in notes()] == ["border"]


def test_a_plan_with_many_documents_lists_the_latest_and_links_to_the_earlier(parties):
    stages.submitted(parties)
    record_notes(parties, DOCUMENTS_PAGE + 2)
    section = Client().get("/plans/p1").content.decode().split('id="documents"', 1)[1].split("</section>", 1)[0]
    assert section.count('<code class="hash"') == DOCUMENTS_PAGE and f"{0:064x}" not in section
    assert "Documents 3–52 of 52." in section and "Latest documents" not in section
    link = re.search(r'<a href="/plans/p1(\?documents_before=2)#documents">Earlier documents</a>', section)
    earlier = Client().get("/plans/p1" + link.group(1)).content.decode().split('id="documents"', 1)[1]
    earlier = earlier.split("</section>", 1)[0]
    assert earlier.count('<code class="hash"') == 2 and f"{0:064x}" in earlier and f"{1:064x}" in earlier
    assert "Documents 1–2 of 52." in earlier and '<a href="/plans/p1#documents">Latest documents</a>' in earlier


def test_a_plan_with_few_documents_lists_them_all_without_links(parties):
    stages.submitted(parties)
    record_notes(parties, 2)
    section = Client().get("/plans/p1", {"documents_before": "junk"}).content.decode().split('id="documents"', 1)[1]
    assert section.split("</section>", 1)[0].count('<code class="hash"') == 2 and "Documents 1" not in section


@pytest.mark.parametrize(("count", "before"), [(0, "5"), (2, "2"), (2, "40")])
def test_a_documents_before_at_or_past_the_latest_shows_the_latest_without_links(parties, count, before):
    stages.submitted(parties)
    record_notes(parties, count)
    section = Client().get("/plans/p1", {"documents_before": before}).content.decode().split('id="documents"', 1)[1]
    section = section.split("</section>", 1)[0]
    assert section.count('<code class="hash"') == count
    assert "Documents 1–0 of 0." not in section and "Latest documents" not in section and "Documents 1" not in section
