"""The public page's charts and map, as template tags (the page's view stays as it is): each chart with its
caption and rows, so an empty one says so; the incident categories' words for the map's popups."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from ..labels import INCIDENT_CATEGORY

register = template.Library()


@register.simple_tag
def public_charts(totals: dict | None) -> list[tuple[str, str, list]]:
    totals = totals or {}
    return [("chart-categories", _("Tonnes by category"), totals.get("tonnes_by_category") or []),
            ("chart-routes", _("Tonnes by route"), totals.get("tonnes_by_route") or []),
            ("chart-organisations", _("Tonnes by organisation"), totals.get("tonnes_by_organisation") or [])]


@register.simple_tag
def incident_category_labels() -> dict[str, str]:
    return {code: str(text) for code, text in INCIDENT_CATEGORY.items()}
