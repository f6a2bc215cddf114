"""Parsing: shape and types of statements, before any rule is consulted."""

import pytest

from corridor.engine import parse_statement
from corridor.engine.errors import RuleViolation

from .world import World, leg, two_legs


def test_unknown_type_is_refused():
    World().refused("statement.unknown_type", "org-a", "plan.teleport")


def test_missing_field_is_malformed():
    world = World()
    raw = world.statement("org-a", "plan.submit", **two_legs())
    del raw["seq"]
    world.refused_raw("statement.malformed", raw)


def test_unknown_payload_field_is_malformed_not_dropped():
    World().refused("statement.malformed", "org-a", "plan.submit", **two_legs(colour="blue"))


def test_plan_statement_without_plan_is_malformed():
    World().refused("statement.malformed", "org-a", "plan.submit", plan=None, **two_legs())


def test_float_anywhere_is_refused():
    World().refused("value.float", "org-a", "plan.submit", **two_legs(tolerance_seconds=900.0))


@pytest.mark.parametrize("bad", [-5, 2.5, "12", 0])
def test_quantity_must_be_a_positive_whole_number(bad):
    lines = [{"id": "x", "item": "Rice", "category": "food", "quantity": bad, "unit": "kg", "weight_kg": 1}]
    World().refused("quantity.invalid", "org-a", "plan.submit", legs=[leg(lines=lines)])


def test_negative_weight_is_refused():
    lines = [{"id": "x", "item": "Rice", "category": "food", "quantity": 1, "unit": "kg", "weight_kg": -1}]
    World().refused("quantity.invalid", "org-a", "plan.submit", legs=[leg(lines=lines)])


@pytest.mark.parametrize("text", ["2023-09-11 08:00", "2023-09-11T08:00:00+04:00", "2023-02-30T08:00:00Z", 1694419200])
def test_time_must_be_rfc3339_utc(text):
    world = World()
    raw = world.statement("org-a", "plan.submit", **two_legs())
    raw["time"] = text
    world.refused_raw("time.invalid", raw)


def test_fractional_seconds_are_accepted_and_truncated():
    raw = World().statement("org-a", "plan.cancel")
    raw["time"] = "2023-09-11T08:00:00.750Z"
    assert parse_statement(raw).seconds() == parse_statement(raw | {"time": "2023-09-11T08:00:00Z"}).seconds()


def test_error_codes_are_registered():
    with pytest.raises(ValueError):
        RuleViolation("no.such.code", "x")
