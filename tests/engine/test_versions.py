"""A plan's version is SHA-256 over RFC 8785 canonical JSON: checked against the rfc8785 package."""

import hashlib

import msgspec
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.engine.model import PlanContent
from corridor.engine.rules.common import plan_version

from .world import crew as crew_commitment
from .world import leg, plate, two_legs

any_text = st.text(max_size=40)


def content_with(item: str, unit: str, kind: str, seal: str) -> PlanContent:
    legs = [leg("leg-a", lines=[{"id": "l1", "item": item, "category": "food", "quantity": 2**53 - 1,
                                 "unit": unit, "weight_kg": 0}],
                vehicles=[{"id": "v1", "plate": plate("AB-1"), "type": kind}], seals=[seal],
                crew=[crew_commitment("A. Driver", "P-1")])]
    return msgspec.convert({"legs": legs, "expires_at": "2030-01-01T00:00:00Z"}, PlanContent)


@settings(max_examples=300, deadline=None)
@given(item=any_text, unit=any_text, kind=any_text, seal=any_text)
def test_version_equals_sha256_of_rfc8785_on_any_text(item, unit, kind, seal):
    content = content_with(item, unit, kind, seal)
    expected = hashlib.sha256(rfc8785.dumps(msgspec.to_builtins(content))).hexdigest()
    assert plan_version(content) == expected


def test_any_change_gives_a_new_version():
    base = msgspec.convert(two_legs(), PlanContent)
    changed = msgspec.convert(two_legs(tolerance_seconds=60), PlanContent)
    assert plan_version(base) != plan_version(changed)
    assert plan_version(base) == plan_version(msgspec.convert(two_legs(), PlanContent))
