"""Styled "not found" and "forbidden" pages that say what to do: sign in with the right organisation's account,
or go back to one's own plans. They never say whether a private thing exists: another party's plan answers the
same page as a plan that never was. The API and the log keep their own answers (JSON, plain text)."""

from __future__ import annotations

from django.shortcuts import render
from django.views import defaults

MACHINE_PATHS = ("/api/", "/log/")


def not_found(request, exception=None):
    if request.path.startswith(MACHINE_PATHS):
        return defaults.page_not_found(request, exception)
    return render(request, "web/404.html", {"path": request.path}, status=404)


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
