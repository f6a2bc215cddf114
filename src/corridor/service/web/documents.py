"""Documents on the plan page: upload one (it is kept privately and its SHA-256 recorded in a signed
`plan.note`), list a plan's documents, download one.

Everyone sees each document's title, kind, party and SHA-256 (the log carries them); only the plan's
parties download the file, served as an attachment with the type its content was checked to be, never
rendered by the browser as a page. To anyone else a document answers 404, as if it did not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ...engine.state import PlanState
from ..documents import operations, storage
from ..documents.models import Document
from ..ledger.record import Refused, current_fold, custodial, record_built
from ..parties.authz import parties_for
from ..parties.models import Party
from . import refusals, signing
from .bidi import isolate
from .page_links import paged
from .templatetags.corridor import party_name

KIND_LABELS = {
    "note_verbale": gettext_lazy("Note verbale"), "letter": gettext_lazy("Letter"),
    "permit": gettext_lazy("Permit or authorisation"), "certificate": gettext_lazy("Certificate"),
    "manifest": gettext_lazy("Manifest"), "photo": gettext_lazy("Photograph"), "other": gettext_lazy("Other"),
}


def kind_label(kind: str) -> str:
    """A note's kind in the reader's language; a kind given through the API that the page does not know is
    shown as it was written (it is the party's own word)."""
    return str(KIND_LABELS.get(kind, kind))


def _plan_or_404(plan_id: str) -> PlanState:
    plan = current_fold().state.plans.get(plan_id)
    if plan is None:
        raise Http404(_("There is no such plan."))
    return plan


def uploading_parties(user, plan: PlanState) -> list[str]:
    """The user's parties that may sign a note on this plan (its requester and required parties)."""
    return [p for p in parties_for(user, "sign") if p in operations.readers(plan)]


@require_POST
@login_required
def upload(request, plan_id: str):
    plan = _plan_or_404(plan_id)
    party = request.POST.get("as", "")
    if party not in uploading_parties(request.user, plan):
        raise Http404(_("There is no such plan among those your party takes part in."))
    page = reverse("plan", args=[plan_id])  # after a passkey signs, the page is loaded again (location.assign):
    back = page + "#documents"  # a URL differing only by its fragment would not reload it, so that one has none
    if signing.wants_prepare(request) and (custodial_only := signing.custodial_answer(request, party)):
        return custodial_only
    try:
        payload = operations.attach(_upload_of(request), plan_id, party, request.user)
        if signing.wants_prepare(request):
            return signing.prepare(request, signing.Ask(party, "plan.note", payload, plan_id), page)
        signing.refuse_server_signing(request, party)
        record_built([custodial(party, "plan.note", payload, plan=plan_id)])
        messages.success(request, _("Document “%(title)s” recorded on the plan (SHA-256 %(hash)s…) — %(party)s")
                         % {"title": isolate(payload["title"]), "hash": isolate(payload["sha256"][:12]),
                            "party": isolate(party_name(party))})
    except Refused as error:
        if signing.wants_prepare(request):
            return signing.refusal(error)
        refusals.show(request, error)
        return HttpResponseRedirect(page)  # the page's top, where the refusal is said: at #documents it was out of view
    return HttpResponseRedirect(back)


def _upload_of(request) -> operations.Upload:
    file = request.FILES.get("document")
    if file is None:
        raise Refused("document.missing", "choose the file to upload (PDF, PNG or JPEG)")
    if file.size > storage.CONFIG.max_upload_bytes:  # refused before it is read into memory
        raise Refused("document.too_large", f"{file.name} is larger than {storage.CONFIG.max_upload_bytes:,} bytes",
                      413)
    return operations.Upload(data=file.read(), filename=file.name or "", title=request.POST.get("title", ""),
                             kind=request.POST.get("kind", "note_verbale"))


@require_GET
@login_required
def download(request, plan_id: str, sha256: str):
    plan = _plan_or_404(plan_id)
    if not operations.may_read(request.user, plan):
        raise Http404(_("There is no such document among those of the plans your party takes part in."))
    found = operations.held(plan, sha256)
    if found is None:
        raise Http404(_("This service does not hold that document for this plan."))
    document, data = found
    response = HttpResponse(data, content_type=storage.CONTENT_TYPES[document.kind])
    response["Content-Disposition"] = content_disposition_header(True, _download_name(plan, document))
    response["Cache-Control"] = "private, no-store"
    return response


def _download_name(plan: PlanState, document: Document) -> str:
    title = next((note.title for note in plan.notes if note.sha256 == document.sha256), "")
    stem = slugify(title, allow_unicode=True)[:80] or plan.id
    return f"{stem}-{document.sha256[:8]}{storage.EXTENSIONS[document.kind]}"


def section(request, plan: PlanState) -> dict:
    """What web/_documents.html shows: the plan's latest notes (public; earlier ones by `?documents_before=N`),
    which files are held and may be downloaded by this reader, and the parties this user may upload for. Two
    queries at most."""
    readable = request.user.is_authenticated and operations.may_read(request.user, plan)
    window = operations.notes_window(plan, _documents_before(request))
    # a before at or past the plan's last note (or on a plan with none) shows the latest: said as such, no
    # "Documents 1–0 of 0", no link to the latest
    latest = window.end == window.count
    held = {}
    if readable and window.notes:
        held = {d.sha256: d for d in Document.objects.filter(plan_id=plan.id,
                                                              sha256__in={n.sha256 for n in window.notes})}
    names = dict(Party.objects.filter(pk__in={n.party for n in window.notes}).values_list("id", "name"))
    rows = [{"title": note.title, "kind": kind_label(note.kind), "party": names.get(note.party, note.party),
             "at": note.at, "sha256": note.sha256, "file": held.get(note.sha256)} for note in window.notes]
    uploaders = uploading_parties(request.user, plan) if request.user.is_authenticated else []
    return {"documents": rows, "readable": readable, "uploaders": uploaders, "document_plan": plan.id,
            "documents_window": window, "documents_at": None if latest else window.end,
            "documents_earlier": paged(request, plan.id, "documents_before", window.next_before),
            "documents_latest": paged(request, plan.id, "documents_before", None),
            "kinds": [(kind, KIND_LABELS[kind]) for kind in operations.KINDS],
            "max_document_bytes": storage.CONFIG.max_upload_bytes}


def _documents_before(request) -> int | None:
    """The plan page's `?documents_before=N`: its documents section lists those before the Nth (the latest
    without)."""
    given = request.GET.get("documents_before", "")
    return (int(given) or None) if given.isascii() and given.isdigit() and len(given) <= 9 else None
