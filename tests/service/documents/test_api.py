"""Documents through the API: upload with a token (the note signed with the party's custodial key), the
list (public fields for everyone, held files for the plan's parties) and the download (parties only)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from corridor.service import clock
from corridor.service.documents import storage
from corridor.service.documents.operations import DOCUMENTS_PAGE

from ..passages.test_history import notes
from ..web import stages
from .files import PDF

pytestmark = pytest.mark.django_db
DIGEST = hashlib.sha256(PDF).hexdigest()


@pytest.fixture(autouse=True)
def private_directory(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "directory", lambda: tmp_path / "documents")


def upload(parties, party: str = "border", data: bytes = PDF, **fields):
    with clock.frozen_at(stages.T + 100):
        return parties[party].client.post("/api/v1/plans/p1/documents",
                                          {"file": SimpleUploadedFile("nv.pdf", data), **fields})


def test_a_party_uploads_and_the_note_is_recorded(parties):
    stages.submitted(parties)
    response = upload(parties, title="Permit 7", kind="permit")
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert (answer["type"], answer["party"], answer["plan"], answer["signed_by"]) == ("plan.note", "border", "p1",
                                                                                      "custodial")
    assert f'"sha256":"{DIGEST}"' in answer["entry"] and '"title":"Permit 7"' in answer["entry"]


def test_the_list_shows_the_public_fields_to_all_and_the_file_to_the_parties(parties):
    stages.submitted(parties)
    upload(parties, title="Permit 7", kind="permit")
    public = Client().get("/api/v1/plans/p1/documents").json()
    assert public["documents"] == [{"sha256": DIGEST, "kind": "permit", "title": "Permit 7", "party": "border",
                                    "at": "2023-09-11T08:15:00Z"}]
    status, private = parties["org-a"].get("/plans/p1/documents")
    assert status == 200 and private["documents"][0] | {} == public["documents"][0] | {
        "held": True, "content_type": "application/pdf", "size": len(PDF),
        "download": f"/api/v1/plans/p1/documents/{DIGEST}"}


def test_the_download_is_for_the_plans_parties_only(parties):
    stages.submitted(parties)
    upload(parties)
    response = parties["org-a"].client.get(f"/api/v1/plans/p1/documents/{DIGEST}")
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("attachment")
    for client in (parties["org-b"].client, Client()):
        refused = client.get(f"/api/v1/plans/p1/documents/{DIGEST}")
        assert refused.status_code == 404 and refused.json()["code"] == "document.not_found"


def test_refusals_carry_their_codes(parties):
    stages.submitted(parties)
    assert upload(parties, party="org-b").json()["code"] == "plan.not_found"
    assert upload(parties, data=b"MZ\x90\x00 an executable").json()["code"] == "document.type"
    assert upload(parties, kind="secret").json()["code"] == "document.kind"
    with clock.frozen_at(stages.T + 100):
        response = Client().post("/api/v1/plans/p1/documents", {"file": SimpleUploadedFile("nv.pdf", PDF)})
    assert response.status_code == 401
    assert Client().get("/api/v1/plans/nope/documents").status_code == 404


def test_the_list_pages_back_from_the_latest_documents(parties):
    stages.submitted(parties)
    upload(parties, title="the held one")
    notes(parties, 6, first=1)
    latest = Client().get("/api/v1/plans/p1/documents", {"page_size": 3}).json()
    assert [d["sha256"] for d in latest["documents"]] == [f"{n:064x}" for n in (4, 5, 6)]
    assert latest["count"] == 7 and latest["next_before"] == 4
    middle = Client().get("/api/v1/plans/p1/documents", {"page_size": 3, "before": 4}).json()
    first = Client().get("/api/v1/plans/p1/documents", {"page_size": 3, "before": 1}).json()
    assert [d["sha256"] for d in middle["documents"]] == [f"{n:064x}" for n in (1, 2, 3)] and middle["next_before"] == 1
    assert [d["title"] for d in first["documents"]] == ["the held one"] and first["next_before"] is None
    status, private = parties["org-a"].get("/plans/p1/documents?before=1")
    assert status == 200 and private["documents"][0]["held"] is True


def test_the_list_without_a_page_shows_the_latest_fifty(parties):
    stages.submitted(parties)
    notes(parties, DOCUMENTS_PAGE + 2)
    listed = Client().get("/api/v1/plans/p1/documents").json()
    assert len(listed["documents"]) == DOCUMENTS_PAGE and listed["next_before"] == 2 and listed["count"] == 52
    assert listed["documents"][-1]["sha256"] == f"{DOCUMENTS_PAGE + 1:064x}"


@pytest.mark.parametrize("query", [{"page_size": 0}, {"page_size": 501}, {"before": 0}, {"before": "x"}])
def test_a_bad_page_of_documents_is_refused(parties, query):
    stages.submitted(parties)
    answer = Client().get("/api/v1/plans/p1/documents", query)
    assert answer.status_code == 400 and answer.json()["code"] == "query.invalid"


def test_the_openapi_document_describes_the_list_as_it_is(parties):
    import jsonschema

    stages.submitted(parties)
    upload(parties, title="the held one")
    notes(parties, 3, first=1)
    spec = Client().get("/api/v1/openapi.json").json()
    schema = spec["paths"]["/api/v1/plans/{plan}/documents"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    status, private = parties["org-a"].get("/plans/p1/documents?page_size=3&before=2")
    public = Client().get("/api/v1/plans/p1/documents", {"page_size": 3, "before": 2}).json()
    assert status == 200 and {"held", "download"} <= set().union(*private["documents"])
    for answer in (private, public):
        jsonschema.validate(answer, schema)
    assert {"count", "next_before", "documents"} <= set(schema["required"])
    assert set().union(*private["documents"]) <= set(schema["properties"]["documents"]["items"]["properties"])
