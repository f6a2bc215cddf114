"""Figures' numbers are exact decimals made with integer arithmetic (docs/figures.md, "Numbers")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from corridor.figures.numbers import iso, median_days, median_seconds, month, thousandths, tonnes


@pytest.mark.parametrize("kg, text", [(31744756000, "31744756"), (54300, "54.3"), (900, "0.9"), (25, "0.025"),
                                      (0, "0"), (1001, "1.001"), (2**53 - 1, "9007199254740.991")])
def test_tonnes_are_kilograms_over_a_thousand_exactly(kg, text):
    assert str(tonnes(kg)) == text


@pytest.mark.parametrize("seconds, days", [
    ([86400], "1"), ([0, 86400], "0.5"), ([43], "0"), ([44], "0.001"),  # 43.2 s is half a thousandth of a day
    ([216], "0.003"),  # exactly 0.0025 days: half up
    ([100, 1, 50], "0.001"), ([1, 2], "0"), ([276307, 276308], "3.198"), ([15 * 86400, 14 * 86400, 16 * 86400], "15"),
])
def test_median_days_round_half_up_to_thousandths(seconds, days):
    assert str(median_days(seconds)) == days


def test_no_durations_no_median():
    assert median_days([]) is None and median_seconds([]) is None


def test_median_seconds_keeps_the_half():
    assert median_seconds([1, 2]) == Decimal("1.5") and median_seconds([3, 1, 2]) == 2


def test_times_and_months():
    assert iso(1694419200) == "2023-09-11T08:00:00Z" and iso(None) is None
    assert month(1694419200) == "2023-09"
    assert str(thousandths(-1500)) == "-1.5"
