"""How figures write times and non-whole numbers, exactly (docs/figures.md, "Numbers and times").

Non-whole figures are decimals computed with integer arithmetic, never binary floats, so that another
implementation writes the same digits: tonnes are known kilograms / 1000 exactly; medians in days are
rounded half up to thousandths. Either is written in plain decimal notation, without an exponent, without
trailing zeros after the point, and without the point when whole ("31744756", "1.5", "0.025").
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

DAY = 86400


def iso(seconds: int | None) -> str | None:
    """A time on the log as RFC 3339 UTC to the second: 2023-09-18T07:00:00Z."""
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def month(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m")


def thousandths(value: int) -> Decimal:
    """`value` / 1000, exactly, in the notation above."""
    whole, rest = divmod(abs(value), 1000)
    text = f"{'-' if value < 0 else ''}{whole}.{rest:03d}".rstrip("0").rstrip(".")
    return Decimal(text)


def tonnes(kg: int) -> Decimal:
    return thousandths(kg)


def median_days(seconds: list[int]) -> Decimal | None:
    """The median of durations in seconds (the mean of the middle two for an even count), in days
    rounded half up to thousandths; None for no durations."""
    if not seconds:
        return None
    quotient, rest = divmod(_twice_median(seconds) * 1000, 2 * DAY)  # (twice / 2) / DAY, in thousandths
    return thousandths(quotient + (1 if 2 * rest >= 2 * DAY else 0))


def median_seconds(seconds: list[int]) -> Decimal | None:
    """The median of durations in seconds, exactly (it ends in .5 when the middle two differ by an odd number)."""
    return None if not seconds else thousandths(_twice_median(seconds) * 500)


def _twice_median(values: list[int]) -> int:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] * 2 if len(ordered) % 2 else ordered[middle - 1] + ordered[middle]
