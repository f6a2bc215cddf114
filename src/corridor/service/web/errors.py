"""Styled "not found" and "forbidden" pages that say what to do: sign in with the right organisation's account,
or go back to one's own plans. They never say whether a private thing exists: another party's plan answers the
same page as a plan that never was. The API and the log keep their own answers (JSON)."""

from __future__ import annotations

from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404
from django.views import defaults

from ..api.errors import error_body

MACHINE_PATHS = ("/api/", "/log/")
LOG_PATH = "/log/"
MESSAGE_LIMIT = 200  # a view's words name an index or size from the URL: thousands of digits are not repeated


def not_found(request, exception=None):
    if request.path.startswith(LOG_PATH):
        return log_not_found(exception)
    if request.path.startswith(MACHINE_PATHS):
        return defaults.page_not_found(request, exception)
    return render(request, "web/404.html", {"path": request.path}, status=404)


def log_not_found(exception: Exception | None) -> JsonResponse:
    """The public log's 404, as the API's refusals are: a stable code and, when a log view said why (an entry
    beyond the published log, a checkpoint size never published), its words; a path that matches nothing gets
    a general message (the resolver's own names the path as the client sent it)."""
    said = exception.args[0] if isinstance(exception, Http404) and exception.args else None
    own = isinstance(said, str) and not isinstance(exception, Resolver404) and len(said) <= MESSAGE_LIMIT
    message = said if own else (
        "there is no such file in the public log (its checkpoint, tiles, entries and proofs are under /log/)")
    return JsonResponse(error_body("log.not_found", message), status=404)


def server_error(request):
    """Something failed: a page in the reader's language that says what may have been recorded, rendered from a
    standalone template with no request context (a context processor could be what failed)."""
    if request.path.startswith(MACHINE_PATHS):
        return defaults.server_error(request)
    return HttpResponseServerError(loader.render_to_string("web/500.html"))


def forbidden(request, exception=None):
    if request.path.startswith(MACHINE_PATHS):
        return defaults.permission_denied(request, exception)
    return render(request, "web/403.html", {"path": request.path}, status=403)


def csrf_failure(request, reason: str = ""):
    """A form sent from a page too old (its session ended or it was opened before signing in again): nothing
    was recorded; say so and how to retry, instead of the framework's bare page."""
    if request.path.startswith(MACHINE_PATHS):
        from django.views.csrf import csrf_failure as bare

        return bare(request, reason)
    if request.path == "/checkpoint-app/submit":  # the app's queue reads JSON: it keeps the item and says why
        from ..ledger.record import Refused
        from .signing import refusal

        return refusal(Refused("csrf.failed", "the session or its CSRF token is missing or stale: open the app "
                               "online, sign in if asked, and the queue is sent again", 403))
    return render(request, "web/403.html", {"path": request.path, "expired_form": True}, status=403)
