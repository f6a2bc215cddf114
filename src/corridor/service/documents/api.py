"""The documents of a plan in the API: upload one (multipart; its note is signed with the acting party's
custodial key), list them (everyone: title, kind, party, time, SHA-256; the plan's parties also see which
files the service holds), download one (the plan's parties; 404 to anyone else)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, File, Form, NinjaAPI, Query, Schema
from ninja.files import UploadedFile

from ...engine.state import PlanState
from ...engine.times import format_time
from ...fold import LogFold
from ..api.auth import acting_party, user_of
from ..ledger.record import Refused, current_fold, custodial, record_built
from . import operations, storage
from .models import Document


class DocumentsQuery(Schema):
    before: int | None = Field(None, ge=1, le=10**9, description="only the documents before this place in the "
                               "plan's list (the previous page's next_before); the latest page without")
    page_size: int = Field(operations.DOCUMENTS_PAGE, ge=1, le=operations.MAX_DOCUMENTS_PAGE,
                           description=f"documents per page, at most {operations.MAX_DOCUMENTS_PAGE}")


_NULLABLE_PLACE = {"type": ["integer", "null"], "minimum": 1}
DOCUMENTS_LIST = {"responses": {"200": {"description": "A page of the plan's notes, oldest first", "content": {
    "application/json": {"schema": {"type": "object", "required": ["plan", "documents", "count", "next_before"],
                                    "properties": {
        "plan": {"type": "string"},
        "documents": {"type": "array", "items": {
            "type": "object", "required": ["sha256", "kind", "title", "party", "at"], "properties": {
                "sha256": {"type": "string"}, "kind": {"type": "string"}, "title": {"type": "string"},
                "party": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
                "held": {"type": "boolean", "description": "the plan's parties only: the service holds the file"},
                "content_type": {"type": "string", "description": "a held file's, for the plan's parties"},
                "size": {"type": "integer", "description": "a held file's, in bytes, for the plan's parties"},
                "download": {"type": "string", "description": "a held file's path, for the plan's parties"}}}},
        "count": {"type": "integer", "minimum": 0, "description": "the plan's notes in all"},
        "next_before": {**_NULLABLE_PLACE, "description": "the `before` of the page before this one (the place, "
                        "from 0 in the plan's list of notes, of this page's first); null on the first page"}}}}}}}}


def _plan(plan_id: str, fold: LogFold | None = None) -> PlanState:
    plan = (fold or current_fold()).state.plans.get(plan_id)
    if plan is None:
        raise Refused("plan.not_found", f"there is no plan {plan_id!r}", 404)
    return plan


def register(api: NinjaAPI, recorded: dict, created: Callable) -> None:
    @api.post("/plans/{plan}/documents", summary="Upload a document (PDF, PNG or JPEG) and record its note",
              tags=["documents"], response=recorded)
    def upload_document(request, plan: str, file: File[UploadedFile], title: Form[str] = "",
                        kind: Form[str] = "note_verbale"):
        party = acting_party(request, "sign")

        def check_involved(fold: LogFold) -> None:
            if party not in operations.readers(_plan(plan, fold)):
                raise Refused("plan.not_found", f"there is no plan {plan!r} your party takes part in", 404)

        check_involved(current_fold())
        if file.size > storage.CONFIG.max_upload_bytes:
            raise Refused("document.too_large", f"the file is larger than {storage.CONFIG.max_upload_bytes:,} bytes",
                          413)
        upload = operations.Upload(data=file.read(), filename=file.name or "", title=title, kind=kind)
        payload = operations.attach(upload, plan, party, user_of(request))
        return created(request, record_built([custodial(party, "plan.note", payload, plan=plan,
                                                        check=check_involved)])[0])

    @api.get("/plans/{plan}/documents", summary="A plan's documents, the latest page first (held files: for the "
             "plan's parties)", tags=["documents"], openapi_extra=DOCUMENTS_LIST)
    def list_documents(request, plan: str, given: Query[DocumentsQuery]):
        state = _plan(plan)
        readable = operations.may_read(user_of(request), state)
        window = operations.notes_window(state, given.before, given.page_size)
        shown = {note.sha256 for note in window.notes}
        readable_held = Document.objects.filter(plan_id=plan, sha256__in=shown) if readable and shown else ()
        held = {d.sha256: d for d in readable_held}
        return {"plan": plan, "documents": [_row(plan, note, held, readable) for note in window.notes],
                "count": window.count, "next_before": window.next_before}

    @api.get("/plans/{plan}/documents/{sha256}", summary="Download a document (the plan's parties)",
             tags=["documents"])
    def download_document(request, plan: str, sha256: str):
        state = _plan(plan)
        found = operations.held(state, sha256) if operations.may_read(user_of(request), state) else None
        if found is None:
            raise Refused("document.not_found", f"there is no document {sha256[:64]!r} of plan {plan!r} held for "
                                                "your party", 404)
        document, data = found
        response = HttpResponse(data, content_type=storage.CONTENT_TYPES[document.kind])
        name = f"{plan}-{sha256[:8]}{storage.EXTENSIONS[document.kind]}"
        response["Content-Disposition"] = content_disposition_header(True, name)
        response["Cache-Control"] = "private, no-store"
        return response


def _row(plan: str, note, held: dict, readable: bool) -> dict:
    row = {"sha256": note.sha256, "kind": note.kind, "title": note.title, "party": note.party,
           "at": format_time(note.at)}
    if readable:
        document = held.get(note.sha256)
        row["held"] = document is not None
        if document is not None:
            row |= {"content_type": storage.CONTENT_TYPES[document.kind], "size": document.size,
                    "download": f"/api/v1/plans/{plan}/documents/{note.sha256}"}
    return row
