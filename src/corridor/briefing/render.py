"""A briefing as HTML: one template (templates/briefing/body.html) for the public page and the standalone
file, translated with Django's i18n, rendered by an engine of its own so that the same bytes come out in
the service, in `corridor briefing` and in an auditor's `corridor audit --briefing` (which renders it again to
compare). Party text is always text: the engine autoescapes, and nothing from the log is marked safe.

The standalone file carries its style in one <style> element allowed by a Content-Security-Policy hash,
and no script at all; its figures are machine-readable (<data data-figure value data-entries>), and its
<meta name="corridor:…"> elements name the period, language, base URL and checkpoint it was computed at.
Figures that are codes of the log (capacities, reasons, categories, stages, durations) read in words of the
briefing's language (words.py); their `value` stays the code.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.utils.safestring import SafeString

from ..engine.times import format_time
from ..figures.briefing import Briefing, Row, readable_time
from . import charts
from .words import shown

WEB = Path(__file__).resolve().parents[1] / "service" / "web"
CSS = WEB / "static" / "web" / "briefing.css"
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("fr", "Français"), ("ar", "العربية")]
RTL = frozenset({"ar"})


def generator() -> str:
    try:
        return f"corridor {version('corridor')}"
    except PackageNotFoundError:  # a source tree that was never installed
        return "corridor (unreleased)"


def ensure_django() -> None:
    """Translations need Django's settings: the service's when it runs, else the least an outside auditor
    needs (no database, no apps): the languages and where their catalogues are."""
    from django.conf import settings

    if settings.configured:
        return
    import django

    settings.configure(USE_I18N=True, USE_TZ=True, LANGUAGE_CODE="en", LANGUAGES=LANGUAGES,
                       LOCALE_PATHS=[WEB / "locale"], INSTALLED_APPS=[])
    django.setup()


@cache
def engine():
    from django.template import Engine

    # static/: the standalone file includes the style sheet the page links (web/briefing.css)
    return Engine(dirs=[str(WEB / "templates"), str(WEB / "static")], autoescape=True,
                  libraries={"i18n": "django.templatetags.i18n", "briefing": "corridor.briefing.tags"})


@cache
def _catalogue(lang: str):
    """Django's own catalogue and Corridor's (LOCALE_PATHS), never another installed app's: the service has
    the admin's, an auditor's process has none, and a briefing must read the same in both (a string Corridor
    has not translated yet stays English in both, rather than borrowing the admin's word in one)."""
    from django.utils.translation import trans_real

    class Catalogue(trans_real.DjangoTranslation):
        def _add_installed_apps_translations(self) -> None:
            """Deliberately nothing: other apps' catalogues (the admin's) are left out, see above."""

        def _add_fallback(self, localedirs=None) -> None:
            """Deliberately nothing: no fallback language, so an untranslated string is its English msgid."""

    return Catalogue(lang)


@contextmanager
def _language(lang: str) -> Iterator[None]:
    """Like django.utils.translation.override, with the briefing's catalogue (above)."""
    from django.utils.translation import trans_real

    previous = getattr(trans_real._active, "value", None)
    trans_real._active.value = _catalogue(lang)
    try:
        yield
    finally:
        if previous is None:
            del trans_real._active.value
        else:
            trans_real._active.value = previous


def render_body(briefing: Briefing, lang: str, base: str, standalone: bool = False) -> SafeString:
    """The briefing's markup (an <article>), as the page includes it."""
    ensure_django()
    from django.template import Context

    with _language(lang):
        return engine().get_template("briefing/body.html").render(Context({**_context(briefing, lang, base),
                                                                            "standalone": standalone}))


def render_document(briefing: Briefing, lang: str, base: str) -> str:
    """A standalone HTML file: the body with its style and the machine-readable head."""
    ensure_django()
    from django.template import Context

    digest = base64.b64encode(hashlib.sha256(CSS.read_bytes()).digest()).decode()
    body = render_body(briefing, lang, base, standalone=True)  # autoescaped, so safe to include as it is
    with _language(lang):
        context = _context(briefing, lang, base)
        context.update(csp=f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'",
                       body=body)
        return engine().get_template("briefing/document.html").render(Context(context))


def machine(briefing: Briefing, lang: str, base: str) -> dict:
    """The machine-readable briefing (what a PDF embeds, and the JSON download), with how it was rendered:
    each figure's `display` is what the document shows, in its language."""
    return {**briefing.to_json(in_words(lang)), "lang": lang, "base": base.rstrip("/"), "generator": generator()}


def in_words(lang: str):
    """Figure -> what it reads as in `lang` (words.py), as the rendering shows it and the audit recomputes it."""
    ensure_django()

    def words(figure) -> str:
        with _language(lang):
            return shown(figure)

    return words


def document(briefing: Briefing, lang: str, base: str, fmt: str) -> bytes:
    """The briefing as a file: "html" (standalone), "pdf" (with the machine-readable briefing embedded) or
    "json" (the machine-readable briefing alone)."""
    if fmt == "json":
        return json.dumps(machine(briefing, lang, base), ensure_ascii=False, sort_keys=True, indent=1).encode()
    html = render_document(briefing, lang, base)
    if fmt == "html":
        return html.encode()
    from .pdf import write_pdf

    return write_pdf(html, machine(briefing, lang, base))


def _context(briefing: Briefing, lang: str, base: str) -> dict:
    """Labels in the language active when called (the callers override it)."""
    from ..service.web.briefing_labels import labels as briefing_labels

    labels = briefing_labels()
    return {
        "b": briefing, "lang": lang, "base": base.rstrip("/"), "direction": "rtl" if lang in RTL else "ltr",
        "generator": generator(), "as_of": format_time(briefing.as_of), "clock": format_time(briefing.clock),
        "clock_shown": readable_time(format_time(briefing.clock)),
        "totals": [(labels["totals"].get(f.id, f.id), f) for f in briefing.totals],
        "columns": labels["columns"],
        "charts": {
            "category": _tonnes_chart(briefing.tables["tonnes_by_category"], "category", labels),
            "route": _tonnes_chart(briefing.tables["tonnes_by_route"], "route", labels),
            "waiting": charts.bars([(shown(row.cells["party"]), [(row.cells["seconds"].value,
                                                                  _hours(row.cells["seconds"].value))])
                                    for row in briefing.tables["waiting"]], [labels["series"]["waited"]]),
        },
    }


def _hours(seconds: int) -> str:
    """34200 -> "9.5 h" in the reader's unit (the chart's bars; the table beside it has the exact duration)."""
    from django.utils.translation import gettext

    return gettext("%(hours)sh") % {"hours": f"{seconds / 3600:,.1f}"}


def _tonnes_chart(rows: list[Row], name: str, labels: dict) -> charts.Chart | None:
    return charts.bars([(shown(row.cells[name]), [(row.cells[s].value, shown(row.cells[s]))
                                                   for s in ("requested", "delivered")]) for row in rows],
                       [labels["series"]["requested"], labels["series"]["delivered"]])
