"""Decimal quantities: a unit that needs them (2.5 t) is written as a decimal string, one way only; whole
quantities stay integers, so every plan recorded before keeps its version; sums are exact."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from corridor.engine.quantity import QuantityError, canonical, is_canonical, parse_quantity, share, total

from .world import World, leg


def decimal_leg(leg_id: str = "leg-a", route: str = "road-a", quantity: object = "2.5") -> dict:
    data = copy.deepcopy(leg(leg_id, route))
    data["lines"][0] |= {"quantity": quantity, "unit": "t", "weight_kg": 2500}
    return data


def test_a_manifest_line_may_declare_a_decimal_string():
    world = World().submit(legs=[decimal_leg()])
    assert world.plan().content.legs[0].lines[0].quantity == "2.5"
    assert world.plan().legs["leg-a"].carried["flour"] == "2.5"


@pytest.mark.parametrize("quantity", [2.5, 20.0, "2.50", "20", "20.0", ".5", "0.0", "0", "-1.5", "2,5", "1e3",
                                      "2.5 t", "0.123456789", 0, True])
def test_a_quantity_written_any_other_way_is_refused(quantity):
    World().refused("quantity.invalid", "org-a", "plan.submit", legs=[decimal_leg(quantity=quantity)])


def test_whole_quantities_keep_their_bytes_and_versions():
    """The same plan with 20 as an int has the version it always had; the decimal string is another plan."""
    whole, decimal = World().submit(legs=[decimal_leg(quantity=20)]), World().submit(legs=[decimal_leg()])
    assert whole.plan().version != decimal.plan().version
    assert World().submit(legs=[decimal_leg(quantity=20)]).plan().version == whole.plan().version


def carried_to_delivery(found: object = "2.5") -> World:
    world = World().cleared_and_scheduled(legs=[decimal_leg(), decimal_leg("leg-b", "road-b")], linkage="independent")
    world.do("border", "leg.arrive", leg="leg-a", checkpoint="lachin")
    world.do("customs", "leg.inspect", leg="leg-a", checkpoint="lachin", decision="cleared",
             findings=[{"line": "flour", "found": found, "codes": ["missing"] if found != "2.5" else []}])
    world.now += 3600
    world.do("escort", "plan.go", legs=["leg-a"])
    return world.do("org-a", "leg.depart", leg="leg-a")


def test_inspection_finds_and_receipts_account_in_decimals_exactly():
    world = carried_to_delivery(found="0.3")
    assert world.plan().legs["leg-a"].carried["flour"] == "0.3"
    receipts = [{"line": "flour", "good": "0.1", "damaged": "0.2"}, {"line": "kits", "good": 50}]
    world.refused("delivery.mismatch", "recv", "leg.deliver", leg="leg-a",
                  receipts=[{"line": "flour", "good": "0.1", "damaged": "0.1"}, {"line": "kits", "good": 50}])
    world.do("recv", "leg.deliver", leg="leg-a", receipts=receipts)  # 0.1 + 0.2 is 0.3 here, unlike in floats
    assert world.plan().legs["leg-a"].phase == "delivered"


def test_a_whole_receipt_accounts_for_a_whole_decimal_free_carry():
    world = carried_to_delivery(found=2)
    error = world.refused("delivery.mismatch", "recv", "leg.deliver", leg="leg-a",
                          receipts=[{"line": "flour", "good": "1.5"}, {"line": "kits", "good": 50}])
    assert "carried 2, receipted 1.5" in error.message
    world.do("recv", "leg.deliver", leg="leg-a", receipts=[{"line": "flour", "good": "1.5", "lost": "0.5"},
                                                           {"line": "kits", "good": 50}])


@pytest.mark.parametrize(("typed", "expected"), [
    ("2.5", "2.5"), ("2,5", "2.5"), ("2.50", "2.5"), ("20", 20), ("20.0", 20), ("1,000", 1000), ("20 000", 20000),
    ("1\u202f000,25", "1000.25"), (" 0.125 ", "0.125"), (2.5, "2.5"), (20.0, 20), (7, 7), (Decimal("3.10"), "3.1"),
    ("0", 0), (".5", "0.5"),
])
def test_what_people_type_becomes_the_one_accepted_form(typed, expected):
    assert parse_quantity(typed) == expected and is_canonical(expected)


@pytest.mark.parametrize("typed", ["", "2.5 t", "-1", "1.2.3", "abc", "1e3", "0.000000001", True, float("nan"),
                                   "1.000,5"])
def test_anything_else_is_not_a_quantity(typed):
    with pytest.raises(QuantityError):
        parse_quantity(typed)


def test_zero_is_refused_where_a_quantity_must_be_positive():
    with pytest.raises(QuantityError):
        parse_quantity("0.0", positive=True)


def test_sums_stay_integers_without_decimals():
    assert total(1, 2, 3) == 6 and isinstance(total(1, 2), int)
    assert canonical(total("0.1", "0.2", 1)) == "1.3" and canonical(total("0.5", "0.5")) == 1


def test_a_share_of_a_weight_is_exact_and_rounded_down():
    assert share(2500, total("2", "0.25"), "2.5") == 2250  # 2.25 of 2.5 t weighing 2,500 kg
    assert share(1000, "0.1", "0.3") == 333 and share(20000, 19, 20) == 19000
