"""Consent with conditions from the plan page and the API: one condition a line, recorded in the statement,
shown beside the party's stance and in the timeline, as text (never markup)."""

from __future__ import annotations

import pytest
from django.test import Client

from corridor.ledger.envelope import unseal
from corridor.service import clock
from corridor.service.ledger.models import LogEntry, StatementIndex

from . import stages
from .test_pages import rendered_version, signed_in

pytestmark = pytest.mark.django_db
NOTIFY = "Date and time of the passage to be notified in advance"
HOSTILE = '<script>alert("x")</script><b>bold</b>'


def consent_payload(party: str) -> dict:
    row = StatementIndex.objects.get(type="plan.consent", party=party)
    return unseal(bytes(LogEntry.objects.get(idx=row.idx).data)).statement["payload"]


def test_the_consent_form_records_conditions_one_a_line_shown_as_text(parties):
    stages.submitted(parties)
    border = signed_in("border")
    with clock.frozen_at(stages.T + 300):
        page = border.get("/plans/p1").content.decode()
        assert 'name="conditions"' in page and "Conditions (optional, one per line)" in page
        border.post("/plans/p1/act/plan.consent", {"as": "border", "version": rendered_version(page),
                                                    "conditions": f"{NOTIFY}\r\n\r\n  {HOSTILE}  \n"})
    assert consent_payload("border")["conditions"] == [NOTIFY, HOSTILE]
    public = Client().get("/plans/p1").content.decode()
    positions = public[public.index('id="positions"'):public.index('id="legs"')]
    assert "On conditions:" in positions and f"<li>{NOTIFY}</li>" in positions
    timeline = public[public.index('id="timeline"'):]
    assert f"condition: {NOTIFY}" in timeline
    assert "<script>alert" not in public and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;" in public


def test_a_consent_with_nothing_typed_carries_no_conditions(parties):
    stages.submitted(parties)
    border = signed_in("border")
    with clock.frozen_at(stages.T + 300):
        version = rendered_version(border.get("/plans/p1").content.decode())
        border.post("/plans/p1/act/plan.consent", {"as": "border", "version": version, "conditions": " \n "})
    assert "conditions" not in consent_payload("border")


def test_the_api_takes_conditions_and_its_plan_detail_gives_them(parties):
    stages.submitted(parties)
    body = {"version": stages.version(parties), "conditions": [NOTIFY]}
    stages.post(parties, "customs", "/plans/p1/consent", body, stages.T + 300)
    positions = {p["party"]: p for p in Client().get("/api/v1/plans/p1").json()["positions"]}
    assert positions["customs"]["conditions"] == [NOTIFY] and positions["border"]["conditions"] == []


def test_no_party_consents_for_another_or_on_a_plan_it_is_not_on(parties):
    stages.submitted(parties)
    with clock.frozen_at(stages.T + 300):
        version = stages.version(parties)
        as_border = signed_in("customs").post("/plans/p1/act/plan.consent",
                                              {"as": "border", "version": version, "conditions": NOTIFY})
        stranger = signed_in("org-b").post("/plans/p1/act/plan.consent",
                                           {"as": "org-b", "version": version, "conditions": NOTIFY})
    assert as_border.status_code == 404 and stranger.status_code == 404
    assert not StatementIndex.objects.filter(type="plan.consent").exists()
