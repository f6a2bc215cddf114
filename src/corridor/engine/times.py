"""RFC 3339 UTC timestamps <-> integer seconds since the epoch (the engine never uses floats)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from .errors import refuse

_RFC3339_UTC = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d{1,9})?(?:Z|\+00:00)$")


def parse_time(text: object, field: str = "time") -> int:
    """Seconds since the epoch for an RFC 3339 UTC time; sub-second digits are dropped."""
    match = _RFC3339_UTC.match(text) if isinstance(text, str) else None
    if match is None:
        raise refuse("time.invalid", f"{field} must be an RFC 3339 UTC time like 2023-09-18T07:00:00Z, got {text!r}")
    try:
        moment = datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)
    except ValueError:
        raise refuse("time.invalid", f"{field} {text!r} is not a real calendar time") from None
    return int(moment.timestamp())


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
