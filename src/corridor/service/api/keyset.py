"""Keyset paging for the API's lists: `after` (the previous page's `next`) names the last row read, and the
next page is the rows after it in the list's order, read off the list's index.

A page number skips its rows one by one (an OFFSET), so a deep page costs in proportion to its depth: at a
million rows, anyone asking for the last page would make the database walk them all. A cursor costs the same
on any page of any list. Django has no keyset paging of its own (its Paginator counts and skips), and the
packages that add it fit DRF, not django-ninja, hence these few lines.

A cursor is the last row's values of the list's ordering, after a tag naming that ordering, as JSON in URL-safe
base64: opaque to clients, checked when read back (a cursor of another list, or one whose values are not of the
ordering's types, is refused as `query.invalid`). It is not signed: values edited into others of the right types
only move the reader's place in the list, which shows nothing a walk from the start would not.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from django.db.models import Q

from ..ledger.record import Refused

MAX_CURSOR = 1_000  # characters: a cursor holds a few ids and times, far below this


@dataclass(frozen=True)
class Key:
    """One column of a list's ordering: its lookup (`plan__submitted_at`), its direction, and whether rows
    without a value come last (ascending only, as the waiting list orders them)."""

    lookup: str
    kind: type = str  # str, int or datetime: what a cursor's value must be, checked before the query sees it
    descending: bool = False
    nulls_last: bool = False

    def value_of(self, row: Any) -> Any:
        return attrgetter(self.lookup.replace("__", "."))(row)


def tag(keys: tuple[Key, ...]) -> str:
    """The ordering's name in its cursors, so a cursor of another list is refused even where the values would
    pass for this one's (the plans' and the incidents' are both a time and a text)."""
    order = ",".join(f"{'-' if key.descending else ''}{key.lookup}" for key in keys)
    return f"{zlib.crc32(order.encode()):08x}"


def cursor_of(keys: tuple[Key, ...], row: Any) -> str:
    values = [tag(keys), *(_encoded(key, key.value_of(row)) for key in keys)]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def rows_after(keys: tuple[Key, ...], cursor: str) -> Q:
    """The rows strictly after the cursor's row in the keys' order."""
    return beyond(keys, values_of(keys, cursor))


def beyond(keys: tuple[Key, ...], values: list[Any], inclusive: bool = False) -> Q:
    """The rows after these values in the keys' order (or at them, `inclusive`): for keys a, b, c and values
    x, y, z, `a ≥ x and (a > x or (b ≥ y and (b > y or c > z)))` (≤ and < where descending). Each level
    opens with the non-strict bound, so the database reads the list's index from the cursor on."""
    condition = (_at_or_after if inclusive else _after)(keys[-1], values[-1])
    for key, value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
        condition = _at_or_after(key, value) & (_after(key, value) | condition)
    return condition


def _after(key: Key, value: Any) -> Q:
    if value is None:  # nothing sorts after a missing value but other missing values (equal, not after)
        return Q(pk__in=[])
    bound = Q(**{f"{key.lookup}__{'lt' if key.descending else 'gt'}": value})
    return bound | Q(**{f"{key.lookup}__isnull": True}) if key.nulls_last else bound


def _at_or_after(key: Key, value: Any) -> Q:
    if value is None:
        return Q(**{f"{key.lookup}__isnull": True})
    bound = Q(**{f"{key.lookup}__{'lte' if key.descending else 'gte'}": value})
    return bound | Q(**{f"{key.lookup}__isnull": True}) if key.nulls_last else bound


def reversed_keys(keys: tuple[Key, ...]) -> tuple[Key, ...]:
    """The same columns in the opposite order. Not for a list with rows lacking a value (`nulls_last`: they
    would have to come first)."""
    if any(key.nulls_last for key in keys):
        raise ValueError("a list whose missing values sort last is read forwards only")
    return tuple(replace(key, descending=not key.descending) for key in keys)


def order_of(keys: tuple[Key, ...]) -> list[str]:
    """The keys as `order_by` arguments (for keys without `nulls_last`)."""
    return [f"-{key.lookup}" if key.descending else key.lookup for key in keys]


@dataclass
class Window:
    """One page of a list read by keyset: its rows in the list's order, the cursor of the page after it
    (`next`: its last row, when there are more) and of the page before it (`previous`: its first row, when
    rows come before it), and whether it is the list's first page."""

    rows: list = field(default_factory=list)
    next: str | None = None
    previous: str | None = None
    first: bool = True


def window(query, keys: tuple[Key, ...], size: int, after: str | None = None, before: str | None = None) -> Window:
    """The `size` rows after the cursor `after`, or the `size` rows just before the cursor `before` (which wins
    when both are given), or the first `size` rows: size + 1 rows read off the list's index from the cursor
    on, never an OFFSET. A cursor that does not read back (`values_of`) is no cursor: the first page, for a
    page whose links a reader may have edited (the API refuses it instead); so is a `before` with no row
    before it."""
    if before is not None and (values := _or_none(keys, before)) is not None:
        backwards = reversed_keys(keys)
        rows = list(query.filter(beyond(backwards, values)).order_by(*order_of(backwards))[:size + 1])
        more_before, rows = len(rows) > size, rows[:size][::-1]
        if rows:
            return Window(rows, next=cursor_of(keys, rows[-1]),
                          previous=cursor_of(keys, rows[0]) if more_before else None, first=not more_before)
    values = _or_none(keys, after) if after is not None else None
    rows = list((query if values is None else query.filter(beyond(keys, values))).order_by(*order_of(keys))
                [:size + 1])
    more, rows = len(rows) > size, rows[:size]
    return Window(rows, next=cursor_of(keys, rows[-1]) if more else None,
                  previous=cursor_of(keys, rows[0]) if values is not None and rows else None, first=values is None)


def _or_none(keys: tuple[Key, ...], cursor: str) -> list[Any] | None:
    try:
        values = values_of(keys, cursor)
        for value in values:  # a lone surrogate ("\ud800", valid JSON) is no text a column holds
            if isinstance(value, str):
                value.encode()
        return values
    except (Refused, UnicodeEncodeError):
        return None


def _encoded(key: Key, value: Any) -> Any:
    return value.isoformat() if key.kind is datetime and value is not None else value


def values_of(keys: tuple[Key, ...], cursor: str) -> list[Any]:
    """The cursor's values, each checked against its key's type (else `query.invalid`)."""
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError("too long")
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(keys) + 1 or values[0] != tag(keys):
            raise ValueError("not this list's cursor")
        return [_value(key, value) for key, value in zip(keys, values[1:], strict=True)]
    except (ValueError, TypeError, OverflowError, binascii.Error) as error:  # UnicodeError is a ValueError
        raise Refused("query.invalid", "`after` is not a cursor this list gave: pass the `next` of the page "
                      "before, unchanged", 400) from error


def _value(key: Key, value: Any) -> Any:
    if value is None and key.nulls_last:
        return None
    if key.kind is datetime:
        moment = datetime.fromisoformat(_of_type(value, str))
        if moment.tzinfo is None:
            raise ValueError("a time with its zone is expected")
        # in UTC, as the cursors given are: an offset PostgreSQL does not take (beyond ±15:59, or in fractions of
        # a second) is gone, and a time whose UTC is out of Python's years 1 to 9999 is an OverflowError here
        return moment.astimezone(UTC)
    return _of_type(value, key.kind)


def _of_type(value: Any, kind: type) -> Any:
    if type(value) is not kind:  # not isinstance: True is an int to Python, not to a cursor
        raise TypeError(f"a {kind.__name__} is expected")
    if kind is str:
        value.encode()  # a lone surrogate ("\ud800", valid in JSON) is no text a column holds: UnicodeEncodeError
    if (kind is str and "\x00" in value) or (kind is int and not 0 <= value < 2**63):  # no column takes these
        raise ValueError("out of range")
    return value
