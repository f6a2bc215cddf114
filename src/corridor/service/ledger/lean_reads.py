"""The public log's hottest reads, answered in front of Django's full stack: `GET /log/proof/N` and
`GET /log/checkpoint` (what verifiers, witnesses and mirrors poll).

Through the whole stack a do-nothing read cost ~1 ms of server CPU here, more than a proof's own work at 10M
entries: sessions, CSRF, locale, authentication, messages, sign-in throttling, the fold's and the replica's
request scopes, URL resolution. These two reads need none of it: they are public (no session, no user, no
CSRF token for a GET), the same in every language, and touch neither the fold nor the database. So the WSGI
application (wsgi.py) answers them here when it can, and hands everything else to Django unchanged.

What a response carries is still decided by Django's own code, not copied: the view's functions that build
it (`views.current_checkpoint`, `views.kept_proof`), wrapped in exactly the middlewares that act on such a
request and response, in the order settings.MIDDLEWARE runs them: SecurityMiddleware (X-Content-Type-Options,
Referrer-Policy, Cross-Origin-Opener-Policy, HSTS when configured), our CSPMiddleware, LocaleMiddleware
(Vary: Accept-Language, Content-Language), CommonMiddleware (the allowed-hosts check, Content-Length),
XFrameOptionsMiddleware. The others do nothing to a request that carries no cookie (INERT_MIDDLEWARE says
why for each; tests/service/ledger/test_lean_reads.py compares every header and byte with the full stack's answer).
A request with cookies is a browser's, and the stack may answer its cookies (a malformed CSRF cookie is
replaced, a language cookie sets Content-Language): it goes through Django. Verifiers, witnesses and mirrors
send none.

Anything that is not the common case goes to Django, so its answers (404 pages in the visitor's language,
400 for a host not allowed, the database-checked proof for a damaged tile, HEAD and POST, requests with
cookies, errors) are the full stack's own: the lean path answers only when the view would answer 200 from
the kept reader.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware

from ..csp import CSPMiddleware
from . import views

# the header-setting middlewares, outermost first, as settings.MIDDLEWARE orders them
HEADER_MIDDLEWARE = (SecurityMiddleware, CSPMiddleware, LocaleMiddleware, CommonMiddleware, XFrameOptionsMiddleware)
HEADER_MIDDLEWARE_NAMES = [f"{m.__module__}.{m.__name__}" for m in HEADER_MIDDLEWARE]
# the others in settings.MIDDLEWARE, and why each does nothing to a cookie-less GET of these two paths; a
# middleware in neither list (one added later) makes the lean path step aside until it is placed in one
INERT_MIDDLEWARE = {
    "corridor.service.ledger.record.FoldReadsMiddleware",  # holds the fold for reads: these read none
    "corridor.service.api.errors.ApiErrorsMiddleware",  # only under /api/v1
    "corridor.service.replica.ReplicaReadsMiddleware",  # routes database reads: these make none
    "whitenoise.middleware.WhiteNoiseMiddleware",  # only under STATIC_URL
    "corridor.service.static_gzip.StaticGZipMiddleware",  # only under STATIC_URL
    "django.contrib.sessions.middleware.SessionMiddleware",  # writes (and Vary: Cookie) only a session used
    "django.middleware.csrf.CsrfViewMiddleware",  # checks unsafe methods; a cookie only for a token used
    "django.contrib.auth.middleware.AuthenticationMiddleware",  # a lazy user, never asked for
    "django.contrib.messages.middleware.MessageMiddleware",  # stores only messages added or read
    "corridor.service.guard.DomainWriteGuardMiddleware",  # refuses database writes: these make none
    "axes.middleware.AxesMiddleware",  # answers a locked-out sign-in only
}
# Django's <int:…> converter: ASCII digits. At most 18: a longer index is beyond any log (Django's 404), and
# int() refuses 4300 or more (an error here, not the converter's no-match: 500 where Django answers 404)
PROOF = re.compile(r"/log/proof/([0-9]{1,18})")
Answer = Callable[[WSGIRequest], HttpResponse | None]


class _Declined(Exception):
    """The lean view does not answer this request (not found, not the common case): Django will."""


def _answer(environ: dict) -> Answer | None:
    """What answers this request on the lean path, or None (Django answers it)."""
    if environ.get("REQUEST_METHOD") != "GET" or "HTTP_COOKIE" in environ:
        return None
    path = environ.get("PATH_INFO", "")
    if path == "/log/checkpoint":
        return lambda request: views.current_checkpoint()
    if (match := PROOF.fullmatch(path)) is not None:
        index = int(match[1])
        return lambda request: views.kept_proof(index)
    return None


def _view(request: WSGIRequest) -> HttpResponse:
    """The innermost handler of the middleware chain: the answer `_answer` chose for this request."""
    response = request.lean_answer(request)
    if response is None:
        raise _Declined
    return response


@functools.cache
def _chain() -> Callable[[WSGIRequest], HttpResponse] | None:
    """The header middlewares around `_view`, made once (each reads its settings when made, so a changed
    setting makes them again); None if settings.MIDDLEWARE reorders or drops one of them, or holds one the
    lean path does not know, as it could then answer differently from the full stack: it steps aside."""
    listed = [name for name in settings.MIDDLEWARE if name in HEADER_MIDDLEWARE_NAMES]
    known = {*HEADER_MIDDLEWARE_NAMES, *INERT_MIDDLEWARE}
    if listed != HEADER_MIDDLEWARE_NAMES or not known.issuperset(settings.MIDDLEWARE):
        return None
    handler = _view
    for middleware in reversed(HEADER_MIDDLEWARE):
        handler = middleware(handler)
    return handler


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    _chain.cache_clear()


def lean_response(environ: dict) -> HttpResponse | None:
    """The response the lean path gives, or None when Django's full stack must answer."""
    answer, chain = _answer(environ), _chain()
    if answer is None or chain is None:
        return None
    request = WSGIRequest(environ)
    request.lean_answer = answer
    try:
        response = chain(request)
    except Exception:  # declined, a host not allowed, any error: Django answers it as it would
        return None
    return response if response.status_code == 200 else None  # e.g. a PREPEND_WWW redirect: Django's to give


class LeanLog:
    """WSGI: the public log's hot reads through `lean_response`, everything else through `django`. A lean
    answer sends no request_started/request_finished signal: their receivers (Django's) close stale database
    connections and reset a per-request URLconf, neither of which the lean path uses."""

    def __init__(self, django: Callable) -> None:
        self.django = django

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        response = lean_response(environ)
        if response is None:
            return self.django(environ, start_response)
        start_response(f"{response.status_code} {response.reason_phrase}", _wsgi_headers(response))
        return [response.content]


def _wsgi_headers(response: HttpResponse) -> list[tuple[str, str]]:
    """As Django's WSGIHandler sends them (cookies included, though these responses set none)."""
    return [*response.items(), *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())]
