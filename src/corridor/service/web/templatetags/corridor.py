"""Template filters: waiting times as people read them."""

from django import template

from ....engine.times import format_duration

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """12345 -> '3h 25m' (the engine's own formatting, as in the scenario report)."""
    if seconds in (None, ""):
        return ""
    return format_duration(int(seconds))
