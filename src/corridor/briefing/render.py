"""A briefing as HTML: one template (templates/briefing/body.html) for the public page and the standalone
file, translated with Django's i18n, rendered by an engine of its own so that the same bytes come out in
the service, in `corridor briefing` and in an auditor's `corridor audit --briefing` (which renders it again to
compare). Party text is always text: the engine autoescapes, and nothing from the log is marked safe.

The standalone file carries its style in one <style> element allowed by a Content-Security-Policy hash,
and no script at all; its figures are machine-readable (<data data-figure value data-entries>), and its
<meta name="corridor:…"> elements name the period, language, base URL and checkpoint it was computed at.
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

from django.utils.safestring import SafeString, mark_safe

from ..engine.times import format_time
from ..figures.briefing import Briefing, Row
from . import charts

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

    return Engine(dirs=[str(WEB / "templates")], autoescape=True,
                  libraries={"i18n": "django.templatetags.i18n", "briefing": "corridor.briefing.tags"})


@cache
def _catalogue(lang: str):
    """Django's own catalogue and Corridor's (LOCALE_PATHS), never another installed app's: the service has
    the admin's, an auditor's process has none, and a briefing must read the same in both (a string Corridor
    has not translated yet stays English in both, rather than borrowing the admin's word in one)."""
    from django.utils.translation import trans_real

    class Catalogue(trans_real.DjangoTranslation):
        def _add_installed_apps_translations(self) -> None:
            pass

        def _add_fallback(self, localedirs=None) -> None:
            pass  # an untranslated string is its English msgid

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

    css = CSS.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    body = render_body(briefing, lang, base, standalone=True)
    with _language(lang):
        context = _context(briefing, lang, base)
        context.update(css=mark_safe(css),  # our own style sheet, never text from the log
                       csp=f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'",
                       body=mark_safe(body))  # rendered above, autoescaped
        return engine().get_template("briefing/document.html").render(Context(context))


def machine(briefing: Briefing, lang: str, base: str) -> dict:
    """The machine-readable briefing (what a PDF embeds, and the JSON download), with how it was rendered."""
    return {**briefing.to_json(), "lang": lang, "base": base.rstrip("/"), "generator": generator()}


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
    from django.utils.translation import gettext as _

    labels = _labels()
    return {
        "b": briefing, "lang": lang, "base": base.rstrip("/"), "direction": "rtl" if lang in RTL else "ltr",
        "generator": generator(), "as_of": format_time(briefing.as_of),
        "totals": [(labels["totals"].get(f.id, f.id), f) for f in briefing.totals],
        "columns": labels["columns"],
        "charts": {
            "category": _tonnes_chart(briefing.tables["tonnes_by_category"], "category", labels),
            "route": _tonnes_chart(briefing.tables["tonnes_by_route"], "route", labels),
            "waiting": charts.bars([(row.cells["party"].display, [(row.cells["seconds"].value,
                                                                   f"{row.cells['seconds'].value / 3600:,.1f} h")])
                                    for row in briefing.tables["waiting"]], [_("Hours waited on")]),
        },
    }


def _tonnes_chart(rows: list[Row], name: str, labels: dict) -> charts.Chart | None:
    return charts.bars([(row.cells[name].display, [(row.cells[s].value, row.cells[s].display)
                                                   for s in ("requested", "delivered")]) for row in rows],
                       [labels["series"]["requested"], labels["series"]["delivered"]])


def _labels() -> dict:
    from django.utils.translation import gettext as _

    time, plan, party = ("time", _("Time (UTC)")), ("plan", _("Plan")), ("party", _("Party"))
    tonnes = ("kg", _("Tonnes"))
    return {
        "totals": {
            "totals/requested": _("Passages requested"), "totals/requested.legs": _("Legs requested"),
            "totals/requested.vehicles": _("Vehicles requested"), "totals/requested.kg": _("Tonnes requested"),
            "totals/consent": _("Consents"), "totals/refuse": _("Refusals"), "totals/withdraw": _("Withdrawals"),
            "totals/cancel": _("Plans cancelled"), "totals/depart": _("Departures"), "totals/deliver": _("Deliveries"),
            "totals/delivered.kg": _("Tonnes delivered"),
        },
        "series": {"requested": _("Requested"), "delivered": _("Delivered")},
        "columns": {
            "requested": [time, plan, ("party", _("Requested by")), ("linkage", _("Linkage")),
                          ("routes", _("Routes")), ("vehicles", _("Vehicles")), tonnes],
            "consents": [time, plan, party, ("capacity", _("Capacity")), ("conditions", _("Conditions"))],
            "refusals": [time, plan, party, ("reason", _("Reason (code)")), ("text", _("In their words"))],
            "refusal_reasons": [("reason", _("Reason (code)")), ("count", _("Refusals"))],
            "withdrawals": [time, plan, party, ("reason", _("Reason")), ("text", _("In their words"))],
            "deliveries": [time, plan, ("leg", _("Leg")), ("route", _("Route")), ("party", _("Received by")), tonnes],
            "tonnes_by_category": [("category", _("Category")), ("requested", _("Tonnes requested")),
                                   ("delivered", _("Tonnes delivered"))],
            "tonnes_by_route": [("route", _("Route")), ("requested", _("Tonnes requested")),
                                ("delivered", _("Tonnes delivered"))],
            "waiting": [party, ("seconds", _("Waited on in the period")), ("plans", _("Passages")),
                        ("waiting_at_end", _("Still waited on at the end"))],
            "stages": [("stage", _("Stage")), ("legs", _("Legs")), ("median", _("Median")),
                       ("p90", _("90th percentile"))],
            "dataset_groups": [("commodity", _("Commodity")), ("crossing", _("Crossing")), ("passages", _("Passages")),
                               ("kg", _("Tonnes (records with a weight)")), ("weighed", _("Passages with a weight"))],
        },
    }
