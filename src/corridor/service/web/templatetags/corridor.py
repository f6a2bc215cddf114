"""Template filters: waiting times and how a statement was signed, as people read them."""

from django import template
from django.utils.translation import gettext

from ....engine.times import format_duration, format_time
from ...ledger.signatures import how_signed
from .. import labels

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """12345 -> '3h 25m' (the engine's own formatting, as in the scenario report)."""
    if seconds in (None, ""):
        return ""
    return format_duration(int(seconds))


@register.filter
def get(mapping, key):
    """`values|get:"leg1_route"`: a form value whose name is built in the template."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def field(prefix, name) -> str:
    """`n|field:"route"` -> "leg1_route"."""
    return f"leg{prefix}_{name}"


@register.filter
def utc_time(seconds) -> str:
    """Seconds since the epoch -> '2023-09-12T06:00:00Z' (as the statements say it)."""
    return "" if seconds in (None, "") else format_time(int(seconds))


@register.filter
def signed(row) -> str:
    """A statement row (dict or StatementIndex) -> how it was signed, in the reader's language."""
    if isinstance(row, dict):
        return how_signed(row.get("signed_by", ""), row.get("member"), gettext)
    return how_signed(getattr(row, "signed_by", ""), getattr(row, "member", None), gettext)


@register.filter(name="label")
def label_filter(code, vocabulary: str) -> str:
    """`{{ plan.status|label:"status" }}` -> "awaiting consent" in the reader's language (see web/labels.py)."""
    return labels.label(code, vocabulary)


@register.filter
def labels_of(codes, vocabulary: str) -> str:
    """`{{ p.capacities|labels_of:"capacity" }}` -> "border control, customs"."""
    return ", ".join(labels.label(code, vocabulary) for code in codes or ())
