"""The language switch on a page with a form in progress: the switch posts that form, with the language, to the
form's own view (static/web/corridor.js, for a form marked `data-keep-on-language`), which answers with the form
as it was typed, in the new language, and keeps the choice as Django's own switch does (its cookie). Nothing
typed is kept in the browser, so nothing can reach another user or another form."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

ACTION = "language"  # the form's `action` when the switch posted it


def switched(request) -> str | None:
    """The language the form was posted to switch to, activated for this answer; None when it was not."""
    code = request.POST.get("language", "")
    if request.POST.get("action") != ACTION or code not in dict(settings.LANGUAGES):
        return None
    translation.activate(code)
    request.LANGUAGE_CODE = code
    return code


def remember(response, code: str | None):
    """The answer, keeping the language chosen for the next pages (as `django.views.i18n.set_language`)."""
    if code:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
                            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                            samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response
