"""Attaching a document to a plan, and who may read it.

`attach` checks the file by its content, keeps its bytes and a row saying the service holds them for the
plan, and gives the `plan.note` payload that names it on the log: its SHA-256, its kind and title. The
note is what makes the document part of the plan: a file kept whose note was never recorded (a passkey
dialog cancelled, a refusal) is never listed nor served, since both read the plan's notes from the log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from ...engine.state import PlanState
from ..ledger.record import Refused
from ..parties.authz import parties_for
from . import storage
from .models import Document

# What a document is to the people reading it (the engine's `kind` is free text; these are the page's choices).
KINDS = ("note_verbale", "letter", "permit", "certificate", "manifest", "photo", "other")
TITLE_MAX_LENGTH = 200


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str
    title: str
    kind: str


def attach(upload: Upload, plan_id: str, party: str, user) -> dict:
    """Keep the file for `plan_id` and return the plan.note payload that records it."""
    if upload.kind not in KINDS:
        raise Refused("document.kind", f"choose what the document is: one of {', '.join(KINDS)}")
    title = " ".join(upload.title.split()) or _title_from(upload.filename)
    if len(title) > TITLE_MAX_LENGTH:
        raise Refused("document.title", f"a title has at most {TITLE_MAX_LENGTH} characters")
    checked = storage.check(upload.data, upload.filename or "the file")
    storage.keep(upload.data, checked)
    Document.objects.get_or_create(plan_id=plan_id, sha256=checked.sha256, defaults={
        "kind": checked.kind, "size": checked.size, "filename": (upload.filename or "")[-255:], "party": party,
        "uploaded_by": user if getattr(user, "is_authenticated", False) else None, "uploaded_at": timezone.now()})
    return {"sha256": checked.sha256, "kind": upload.kind, "title": title}


def _title_from(filename: str) -> str:
    stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    return " ".join(stem.replace("_", " ").split())[:TITLE_MAX_LENGTH]


DOCUMENTS_PAGE = 50  # a plan's documents listed at once (its page, GET /plans/{id}/documents)
MAX_DOCUMENTS_PAGE = 500


@dataclass(frozen=True)
class NotesWindow:
    """The plan's notes from `start` (their place in the plan's list, from 0) up to `start + len(notes)`, of
    `count` in all; `next_before` lists the earlier ones (None when these are the first)."""

    notes: list
    start: int
    count: int

    @property
    def next_before(self) -> int | None:
        return self.start or None

    @property
    def end(self) -> int:
        return self.start + len(self.notes)


def notes_window(plan: PlanState, before: int | None = None, size: int = DOCUMENTS_PAGE) -> NotesWindow:
    """The latest `size` notes before place `before` (the latest of all if None), oldest first. A plan's notes
    only grow (each `plan.note` appends one), so a place names the same note on every read: a page costs the
    same however many a party recorded."""
    end = len(plan.notes) if before is None else min(before, len(plan.notes))
    start = max(0, end - size)
    return NotesWindow(plan.notes[start:end], start, len(plan.notes))


def readers(plan: PlanState) -> set[str]:
    """The parties that may read a plan's documents: its requester and the parties whose consent it needs."""
    return {plan.requester, *plan.required}


def may_read(user, plan: PlanState) -> bool:
    return bool(readers(plan) & set(parties_for(user, "view_private")))


def held(plan: PlanState, sha256: str) -> tuple[Document, bytes] | None:
    """The document and its bytes, if the plan's log names it in a note and the service holds it intact."""
    if not any(note.sha256 == sha256 for note in plan.notes):
        return None
    document = Document.objects.filter(plan_id=plan.id, sha256=sha256).first()
    data = storage.read(sha256) if document is not None else None
    return None if data is None else (document, data)
