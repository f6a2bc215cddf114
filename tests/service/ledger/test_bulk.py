"""The bulk writer of `rebuild`: ids assigned by it, and the database's own ids continuing after them."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.ledger.rebuild import rebuild
from corridor.service.ledger.record import record_as
from corridor.service.passages.models import Leg, ManifestLine

from ..plans import plan_body

pytestmark = pytest.mark.django_db(transaction=True)
T = 1694420000


def content(**overrides):
    return {k: v for k, v in plan_body(**overrides).items() if k != "plan"}


def test_recording_after_a_rebuild_continues_with_fresh_ids(parties):
    with clock.frozen_at(T):
        for n in range(3):
            record_as("org-a", "plan.submit", content(), plan=f"p{n}")
    rebuild()
    assert sorted(Leg.objects.values_list("id", flat=True)) == [1, 2, 3]
    with clock.frozen_at(T + 60):
        record_as("org-a", "plan.submit", content(), plan="after")
    leg = Leg.objects.get(plan_id="after")
    assert leg.id > 3 and ManifestLine.objects.filter(leg=leg).count() == 1
