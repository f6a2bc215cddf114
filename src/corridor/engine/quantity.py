"""Quantities: whole numbers as JSON integers, and decimals (2.5 t) as decimal strings, never floats.

One quantity has exactly one way to be written, so that two parties signing the same manifest sign the same
bytes and a plan's version (the hash of its content) does not depend on how someone typed a number:

- a whole quantity is an integer: `20`, never `"20"`, `"20.0"` or `20.0`;
- any other is a string with a point, no leading zero before other digits, no trailing zero after the point,
  at most 8 decimal places: `"2.5"`, `"0.25"`, `"1234.125"`; never `"2.50"`, `".5"`, `"2,5"` or `2.5`.

So every plan recorded before decimals existed keeps its bytes and its version, and a decimal string the
engine accepts is always greater than zero. Arithmetic on quantities (`amount`, `total`) is exact, with
`decimal.Decimal` — and stays on plain integers when no decimal is involved, which is the common case.
`parse_quantity` turns what people type ("2,5", "20.0", "1 000") into the one accepted form.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated

import msgspec

MAX_WHOLE = 2**53 - 1
PLACES = 8
DECIMAL_PATTERN = r"^(0|[1-9][0-9]{0,15})\.[0-9]{0,7}[1-9]$"
DecimalText = Annotated[str, msgspec.Meta(pattern=DECIMAL_PATTERN)]
# a quantity that may be zero (found at inspection, received), and one that may not (declared on a manifest)
Quantity = Annotated[int, msgspec.Meta(ge=0, le=MAX_WHOLE)] | DecimalText
PositiveQuantity = Annotated[int, msgspec.Meta(ge=1, le=MAX_WHOLE)] | DecimalText

_DECIMAL = re.compile(DECIMAL_PATTERN)
_TYPED = re.compile(r"^[0-9]+(?:[.,][0-9]*)?$|^[.,][0-9]+$")
_THOUSANDS = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$")


def amount(quantity: int | str) -> int | Decimal:
    """A quantity as a number to compute with (an int stays an int)."""
    return quantity if isinstance(quantity, int) else Decimal(quantity)


def total(*quantities: int | str) -> int | Decimal:
    """The exact sum of quantities."""
    for quantity in quantities:  # a loop, not all() over a generator: every receipt line passes here
        if not isinstance(quantity, int):
            return sum((amount(q) for q in quantities), Decimal(0))
    return sum(quantities)  # type: ignore[arg-type]


def share(whole: int, part: int | str | Decimal, of: int | str) -> int:
    """`whole` × part / of, rounded down, exactly (kilograms received of a line: its weight in proportion to
    the quantity received over the quantity declared)."""
    if isinstance(part, int) and isinstance(of, int):
        return whole * part // of
    return math.floor(Fraction(whole) * Fraction(amount(part) if isinstance(part, str) else part)
                      / Fraction(amount(of)))


def canonical(number: int | Decimal) -> int | str:
    """A number in its one accepted form: an int when whole, else the shortest decimal string."""
    if isinstance(number, int):
        return number
    if number == number.to_integral_value():
        return int(number)
    return format(number.normalize(), "f")


class QuantityError(ValueError):
    pass


def parse_quantity(text: object, *, positive: bool = False) -> int | str:
    """What someone typed or a spreadsheet held (int, float from a cell, "2.5", "2,5", "20.0", "1,000",
    "1 000") as the one accepted form; QuantityError for anything else (units, negatives, more than 8
    decimal places, a float that is not exactly what was meant)."""
    number = _number(text)
    if number < 0 or (positive and number == 0):
        raise QuantityError("must be greater than zero" if positive else "must not be negative")
    if number.as_tuple().exponent < -PLACES:  # type: ignore[operator]
        raise QuantityError(f"has more than {PLACES} decimal places")
    if number > MAX_WHOLE:
        raise QuantityError("is too large")
    return canonical(number)


def _number(value: object) -> Decimal:
    if isinstance(value, bool):
        raise QuantityError("is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):  # a spreadsheet cell: its shortest repr is what was typed (2.5, not 2.4999…)
        if value != value or value in (float("inf"), float("-inf")):
            raise QuantityError("is not a number")
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    text = "".join(str(value or "").split()).replace("\u202f", "").replace("\u00a0", "")
    if _THOUSANDS.match(text):  # 1,000 or 20,000.5: commas between groups of three
        text = text.replace(",", "")
    if not _TYPED.match(text):
        raise QuantityError("is not a number (digits, with a point or a comma for decimals; no units)")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise QuantityError("is not a number") from None


def is_canonical(quantity: object) -> bool:
    if isinstance(quantity, bool):
        return False
    if isinstance(quantity, int):
        return 0 <= quantity <= MAX_WHOLE
    return isinstance(quantity, str) and bool(_DECIMAL.match(quantity))
