"""RFC 3339 UTC timestamps <-> integer seconds since the epoch (the engine never uses floats)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache

from .errors import refuse

# RFC 3339 allows a lowercase t/z and a space for T; statement envelopes (parsed by msgspec) do too.
_RFC3339_UTC = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|\+00:00)$")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def parse_time(text: object, field: str = "time") -> int:
    """Seconds since the epoch for an RFC 3339 UTC time; sub-second digits are dropped.

    Used for times inside payloads (slots, expiry, incidents), which plan versions hash as written;
    the calendar check is datetime's, cached per day.
    """
    match = _RFC3339_UTC.match(text) if isinstance(text, str) else None
    if match is None:
        raise refuse("time.invalid", f"{field} must be an RFC 3339 UTC time like 2023-09-18T07:00:00Z, got {text!r}")
    day, hours, minutes, seconds = match.groups()
    hours, minutes, seconds = int(hours), int(minutes), int(seconds)
    days = _days_since_epoch(day)
    if days is None or hours > 23 or minutes > 59 or seconds > 59:
        raise refuse("time.invalid", f"{field} {text!r} is not a real calendar time")
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


@lru_cache(maxsize=8192)
def _days_since_epoch(day: str) -> int | None:
    try:
        return date.fromisoformat(day).toordinal() - _EPOCH_ORDINAL
    except ValueError:
        return None


def format_time(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_duration(seconds: int) -> str:
    """Human duration such as '6d 4h 12m' for reports."""
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days}d"] if days else []
    if days or hours:
        parts.append(f"{hours}h")
    parts.append(f"{minutes}m")
    return " ".join(parts)
