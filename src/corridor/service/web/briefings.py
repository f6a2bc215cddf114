"""The public briefings page, `/briefings/`: a form for the period and language, and the briefing of that
period at the latest published checkpoint, computed from the log's entries by corridor.figures.briefing
(the code an auditor runs), never from the read models. Also its downloads: the standalone HTML, the PDF and
the machine-readable JSON, each for the same checkpoint.

The history of the log (figures/history.py) is kept in this process and advanced by the entries published
since; a request folds only those. Everything shown is on the public log already (no windows before their
reveal, no plates, no crew): the briefing reads nothing else.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ...briefing.render import LANGUAGES, document, render_body
from ...figures.briefing import Briefing, Checkpoint, Period, PeriodError, compute
from ...figures.fold import FigureFold
from ...figures.history import History
from ..config import CONFIG
from ..exports.published import take_turn
from ..ledger.keys import OPERATOR, operator_public
from ..ledger.models import LogEntry
from ..ledger.origins import policy
from ..ledger.record import Refused
from . import refusals

PDF_PER_MINUTE = 6  # PDFs typeset in a minute per process (the others come from the cache)
CACHED = 64  # rendered briefings kept in memory, the least recently used dropped first
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "json": "application/json"}
DEFAULT_DAYS = 30  # the form's default period: the 30 days up to the log's last statement


class _Kept:
    """The history kept in this process, and the leaf hash of its last entry (to tell its log is ours)."""

    lock = threading.Lock()
    history: History | None = None
    last_leaf: bytes | None = None
    preparing: threading.Thread | None = None  # folding a long stretch of the log, outside any request


FOLD_IN_REQUEST = 20_000  # entries a request may fold itself (~1 s); a longer stretch is folded in the background
WAIT_SECONDS = 5  # how long a request waits for another one's fold before answering briefing.preparing


def published_note() -> str | None:
    path = CONFIG.tiles_dir / "checkpoint"
    return path.read_text() if path.is_file() else None


def history_at(size: int, wait: bool = False) -> History:
    """The history folded over entries [0, size): the one kept here, advanced, or folded anew if the one
    kept is past `size` or is not this log's (its last entry differs: another database).

    A request never folds more than FOLD_IN_REQUEST entries: a process's first briefing on a large log (a
    million entries is minutes) starts the fold in a thread of its own and is told `briefing.preparing`
    (503, Retry-After), so no request's time grows with the log and asking again starts nothing more.
    `wait`: fold here whatever it takes (`corridor briefing`: a process of its own, which asking again would
    only start anew)."""
    if not _Kept.lock.acquire(timeout=-1 if wait else WAIT_SECONDS):
        raise _preparing(size)
    try:
        history = _kept_history(size)
        if size - history.size > FOLD_IN_REQUEST and not wait:
            _prepare_in_background(size)
            raise _preparing(size - history.size)
        _advance(history, size)
        return history
    finally:
        _Kept.lock.release()


def _kept_history(size: int) -> History:
    history = _Kept.history
    if history is None or history.size > size or not _same_log(history):
        history = _Kept.history = History(FigureFold(OPERATOR, operator_public(), webauthn=policy()))
    return history


def _advance(history: History, size: int) -> None:
    rows = LogEntry.objects.filter(idx__gte=history.size, idx__lt=size).order_by("idx")
    for row in rows.iterator(chunk_size=2000):
        history.apply(bytes(row.data), signature_checked=True)  # checked when it was recorded
        _Kept.last_leaf = bytes(row.leaf)


def _prepare_in_background(size: int) -> None:
    if _Kept.preparing is not None and _Kept.preparing.is_alive():
        return
    _Kept.preparing = threading.Thread(target=_fold_until, args=(size,), name="briefing-history", daemon=True)
    _Kept.preparing.start()


def _fold_until(size: int) -> None:
    try:
        with _Kept.lock:
            _advance(_kept_history(size), size)
    finally:
        connection.close()  # the thread's own database connection


def _preparing(behind: int) -> Refused:
    return Refused("briefing.preparing", f"this process is reading the log's history ({behind:,} entries) "
                   "before it can compute briefings: ask again in a minute", 503)


def _same_log(history: History) -> bool:
    if history.size == 0:
        return True
    row = LogEntry.objects.filter(idx=history.size - 1).only("leaf").first()
    return row is not None and bytes(row.leaf) == _Kept.last_leaf


def reset_for_tests() -> None:
    if _Kept.preparing is not None:
        _Kept.preparing.join()
    with _Kept.lock:
        _Kept.history = _Kept.last_leaf = _Kept.preparing = None
    with _rendered_lock:
        _rendered.clear()
    _pdf_turns.clear()


# Rendered briefings by (checkpoint size and root, period, language, base URL, format): the same request
# again is served from here, not computed again (bounded: CACHED, the least recently used out).
_rendered_lock = threading.Lock()
_rendered: OrderedDict[tuple, object] = OrderedDict()
_pdf_turns: list[float] = []


def rendered(period: Period, lang: str, base: str, fmt: str) -> tuple[Checkpoint | None, object]:
    """(checkpoint, rendering) of the period at the latest published checkpoint, from the cache or new, or
    (None, None) before the first checkpoint. A PDF not in the cache takes
    a turn of PDF_PER_MINUTE (briefing.busy, 429, beyond)."""
    note = published_note()
    if note is None:
        return None, None
    checkpoint = Checkpoint.of_note(note)
    key = (checkpoint.size, checkpoint.root, period, lang, base, fmt)
    with _rendered_lock:
        if key in _rendered:
            _rendered.move_to_end(key)
            return checkpoint, _rendered[key]
    if fmt == "pdf":
        take_turn(_pdf_turns, PDF_PER_MINUTE, "briefing.busy",
                  "briefings are being typeset as PDF: ask again in a minute (the HTML is available now)")
    briefing = compute(history_at(checkpoint.size), period, checkpoint)
    made = render_body(briefing, lang, base) if fmt == "page" else document(briefing, lang, base, fmt)
    with _rendered_lock:
        _rendered[key] = made
        while len(_rendered) > CACHED:
            _rendered.popitem(last=False)
    return checkpoint, made


def briefing_of(period: Period, wait: bool = False) -> Briefing | None:
    """The period's briefing at the latest published checkpoint (None before the first one); `wait`: as
    `history_at`'s."""
    note = published_note()
    if note is None:
        return None
    checkpoint = Checkpoint.of_note(note)
    return compute(history_at(checkpoint.size, wait), period, checkpoint)


def _default_period() -> Period:
    note = published_note()
    clock = history_at(Checkpoint.of_note(note).size).state.clock if note else 0
    last = datetime.fromtimestamp(clock, UTC).date() if clock else datetime.now(UTC).date()
    return Period(last - timedelta(days=DEFAULT_DAYS - 1), last)


def _read_form(request) -> tuple[Period | None, str, str | None]:
    """(period, language, error): the period given, or the default one when the form is not filled in."""
    asked = request.GET.get("lang")
    lang = asked or get_language() or "en"
    if lang not in dict(LANGUAGES):
        if asked:
            return None, "en", "[briefing.lang] " + _("A briefing is in English, Russian, French or Arabic: "
                                                     "lang is en, ru, fr or ar.")
        lang = "en"
    first, last = request.GET.get("from", "").strip(), request.GET.get("to", "").strip()
    if not first and not last:
        return _default_period(), lang, None
    try:
        return Period.parse(first, last), lang, None
    except PeriodError as error:
        return None, lang, f"[{error.code}] {error}"


def _base(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_GET
def briefings(request):
    try:
        period, lang, error = _read_form(request)
        body = rendered(period, lang, _base(request), "page")[1] if period is not None else None
    except Refused as refused:  # briefing.preparing: the page says so, and when to ask again
        context = {"languages": LANGUAGES, "lang": get_language() or "en", "error": refusals.explain(refused),
                   "period": None, "body": None, "query": ""}
        response = render(request, "web/briefings.html", context, status=refused.status)
        response["Retry-After"] = "60"
        return response
    context = {"languages": LANGUAGES, "lang": lang, "error": error, "period": period, "body": body,
               "query": request.GET.urlencode() if period else ""}
    if period is not None and body is None:
        context["error"] = _("The log has no published checkpoint yet.")
    return render(request, "web/briefings.html", context, status=400 if period is None else 200)


@require_GET
def download(request, fmt: str):
    """The same briefing as a standalone file: html, pdf or json."""
    if fmt not in CONTENT_TYPES:
        raise Http404("a briefing is downloaded as html, pdf or json")
    try:
        period, lang, error = _read_form(request)
        if period is None:
            return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
        checkpoint, made = rendered(period, lang, _base(request), fmt)
    except Refused as refused:
        response = HttpResponse(f"[{refused.code}] {refused.message}", status=refused.status,
                                content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "60"
        return response
    if made is None:
        raise Http404("the log has no published checkpoint yet")
    name = f"briefing-{period.first}-{period.last}-{lang}.{fmt}"
    response = HttpResponse(made, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Corridor-Checkpoint"] = f"{checkpoint.size} {checkpoint.root}"
    return response
