"""Template filters: times, waiting times and how a statement was signed, as people read them.

Times are written for a right-to-left page too: each is isolated (the digits and the UTC offset left to
right), so an Arabic sentence around "12:00 UTC+4" cannot reorder it."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils.formats import date_format, number_format
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext

from ....engine.times import format_time
from ... import clock
from ...ledger.record import known_fold
from ...ledger.signing_words import how_signed
from .. import labels, leg_names, zones

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """12345 -> '3h 25m' in English, '3 ч 25 мин' in Russian (web/labels.py: briefings say it the same way)."""
    return labels.duration(seconds)


def _moment(value) -> datetime | None:
    """Epoch seconds (int or digits), an RFC 3339 UTC text as the statements write it, or a datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value), UTC)
    try:
        return datetime.fromisoformat(str(value).replace("z", "Z")).astimezone(UTC)
    except ValueError:
        return None


_offset = zones.offset  # the offset label, shared with the forms that name their clock


# Unicode isolates: FSI ... PDI lets a date take its own direction; LRI ... PDI keeps "16:00 UTC+4" left to
# right inside an Arabic sentence. Plain text, so it goes anywhere (a sentence, an attribute, an email), and no
# Python here marks text safe (tests/service/web/test_markup.py): the <time> element comes from a template.
FSI, LRI, PDI = "\u2068", "\u2066", "\u2069"


def _local_parts(value, zone_name: str | None) -> dict | None:
    moment = _moment(value)
    if moment is None:
        return None
    try:
        local = moment.astimezone(zones.zone(zone_name or zones.operation_zone()))
    except (OverflowError, ValueError):  # a signed time at the calendar's edge (year 9999 or 1): shown in UTC
        local = moment
    return {"iso": format_time(int(moment.timestamp())), "utc": moment.strftime("%Y-%m-%d %H:%M UTC"),
            "date": date_format(local, "DATE_FORMAT"), "clock": f"{local:%H:%M} {_offset(local)}",
            "separator": labels.separator()}


@register.filter
def local_time(value, zone_name: str | None = None) -> str:
    """`{{ t|local_time:zone }}` -> "11 September 2023, 16:00 UTC+4": on the crossing's clock (an IANA zone;
    without one, the operation's, see web/zones.py), isolated for right-to-left text. `value` is epoch
    seconds, an RFC 3339 UTC text or a datetime; anything else is shown as it is. In a table cell, prefer
    `{% time_local t zone %}`, which adds the UTC time on hover."""
    parts = _local_parts(value, zone_name)
    if parts is None:
        return "" if value in (None, "") else str(value)
    return f"{FSI}{parts['date']}{parts['separator']}{LRI}{parts['clock']}{PDI}{PDI}"


@register.inclusion_tag("web/_time.html")
def time_local(value, zone_name: str | None = None) -> dict:
    """`{% time_local t zone %}`: a <time> element with the local time (as `local_time`), the UTC time in its
    title (shown on hover) and the instant in its datetime attribute, each part in a <bdi>."""
    parts = _local_parts(value, zone_name)
    return parts or {"raw": "" if value in (None, "") else str(value)}


@register.filter
def ago(value) -> str:
    """`{% blocktranslate with for=since|ago %}waiting for {{ for }}{% endblocktranslate %}`: the time from
    then to now in words ("3 days, 2 hours", in the reader's language), isolated for right-to-left text."""
    moment = _moment(value)
    if moment is None:
        return ""
    return f"{FSI}{timesince(moment, datetime.fromtimestamp(clock.now(), UTC), depth=2)}{PDI}"


@register.filter
def until(value) -> str:
    """`{% blocktranslate with in=start|until %}opens in {{ in }}{% endblocktranslate %}`: the time from now to
    a moment ahead in words ("2 hours, 5 minutes"); "0 minutes" once it has passed."""
    moment = _moment(value)
    if moment is None:
        return ""
    return f"{FSI}{timeuntil(moment, datetime.fromtimestamp(clock.now(), UTC), depth=2)}{PDI}"


@register.filter
def plan_zone(plan_id) -> str:
    """`{% with zone=plan.id|plan_zone %}{{ t|local_time:zone }}{% endwith %}`: the zone a plan's times are
    read in (its first leg's crossing)."""
    return zones.plan_zone(str(plan_id)) if plan_id else zones.operation_zone()


@register.filter
def checkpoint_zone(checkpoint_id) -> str:
    """The zone of a checkpoint, by its id."""
    return zones.checkpoint_zone(str(checkpoint_id)) if checkpoint_id else zones.operation_zone()


@register.filter
def leg_name(leg_id, plan_id) -> str:
    """`line.leg|leg_name:plan.plan` -> "Lachin road" (or "Lachin road, leg 2"): a leg by name, not id."""
    return leg_names.plan_leg_name(plan_id, leg_id)


@register.filter
def leg_number(leg_id, plan_id) -> str:
    """`leg.leg|leg_number:plan.plan` -> "Leg 1", where the route's name is shown beside it."""
    return leg_names.plan_leg_number(plan_id, leg_id)


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
def grouped(number) -> str:
    """`{{ leg.weight_kg|grouped }}` -> "131,600" in English, "131.600" in Arabic: the reader's separators,
    thousands grouped (the settings leave grouping off, as ids and years must not be grouped)."""
    if number in (None, ""):
        return ""
    return number_format(number, force_grouping=True)


@register.filter
def stage_label(stage) -> str:
    """`{{ row.stage|stage_label }}`: "submitted → cleared" (figures/summary.py) with both ends in words."""
    return labels.stages(stage)


@register.filter
def labels_of(codes, vocabulary: str) -> str:
    """`{{ p.capacities|labels_of:"capacity" }}` -> "border control, customs"."""
    return labels.joined(labels.label(code, vocabulary) for code in codes or ())


@register.filter
def joined(items) -> str:
    """`{{ leg.seals|joined }}` -> "S-1, S-2", or "S-1، S-2" in Arabic: a list in the reader's language (Django's
    `join:", "` writes a Latin comma into every language)."""
    return labels.joined(items or ())


@register.simple_tag
def separator() -> str:
    """`{% if not forloop.last %}{% separator %}{% endif %}`: the list separator of the reader's language."""
    return labels.separator()


@register.simple_tag
def groups_separator() -> str:
    """Between items that are lists themselves: "; ", "؛ " in Arabic, " ; " in French."""
    return labels.groups_separator()


@register.filter
def party_name(party_id) -> str:
    """`{{ s.party|party_name }}` -> "Host state border service": the registered name, from the fold in memory
    (no query per row); the id itself for a party the log does not know."""
    party = known_fold().state.parties.get(str(party_id)) if party_id else None
    return party.name if party is not None else ("" if party_id in (None, "") else str(party_id))


@register.filter
def route_name(route_id) -> str:
    """`{{ leg.route|route_name }}` -> "Lachin–Khankendi"."""
    route = known_fold().state.routes.get(str(route_id)) if route_id else None
    return route.name if route is not None else ("" if route_id in (None, "") else str(route_id))


@register.filter
def checkpoint_name(checkpoint_id) -> str:
    """`{{ leg.checkpoint|checkpoint_name }}` -> "Lachin border and customs checkpoint"."""
    if checkpoint_id in (None, ""):
        return ""
    for route in known_fold().state.routes.values():
        for checkpoint in route.checkpoints:
            if checkpoint.id == checkpoint_id:
                return checkpoint.name
    return str(checkpoint_id)


@register.filter
def route_zone(route_id) -> str:
    """The zone of a route (its first checkpoint that names one)."""
    return zones.route_zone(str(route_id)) if route_id else zones.operation_zone()


@register.filter
def crossing_clock(zone_name) -> str:
    """`{{ zone|crossing_clock }}` -> "UTC+4": the clock a form's time is typed on, by its offset now (the
    zone's IANA name, Asia/Baku, is no reader's word for it)."""
    return _offset(datetime.fromtimestamp(clock.now(), zones.zone(zone_name or zones.operation_zone())))
