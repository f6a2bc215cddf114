"""Notification emails a person can read: in the party's language, what is awaited, since when, the names of
the parties and routes, the plan's address; never a JSON dump."""

from __future__ import annotations

import pytest
from django.core import mail

from corridor.service import clock
from corridor.service.outbox import worker
from corridor.service.outbox.notify import awaited_step
from corridor.service.parties.operations import do_set_contact

from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000  # 2023-09-11T08:13:20Z


def submitted(parties) -> None:
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201


def test_the_awaited_email_says_what_since_when_and_where_to_act(parties):
    do_set_contact("border", email="duty@border.example")
    submitted(parties)
    with clock.frozen_at(T + 3 * 86400):
        assert worker.process_due() == 1
    [email] = mail.outbox
    assert email.subject == ("[Corridor] Plan p1 is waiting on Host state border service: your consent to the "
                             "plan's current version, or your refusal with its reason")
    body = email.body
    assert "Plan p1 is waiting on your party since 2023-09-11 08:13 UTC (3\xa0days ago)." in body
    assert "Requested by: Humanitarian organisation A (carrier)" in body and "Lachin–Khankendi" in body
    assert "Open the plan to act: http://127.0.0.1:8000/plans/p1" in body
    assert "{" not in body and "&" not in body  # neither JSON nor HTML escapes


@pytest.mark.parametrize(("language", "words"), [
    ("fr", ("Le plan p1 attend votre partie depuis", "il y a", "Ouvrir le plan pour agir")),
    ("ru", ("План p1 ждёт вашу сторону с", "назад", "Откройте план, чтобы действовать")),
    ("ar", ("الخطة p1 تنتظر طرفك منذ", "منذ", "افتح الخطة لتتصرف")),
])
def test_the_email_is_in_the_partys_language(parties, language, words):
    do_set_contact("border", email="duty@border.example", language=language)
    submitted(parties)
    with clock.frozen_at(T + 3600):
        worker.process_due()
    [email] = mail.outbox
    assert all(word in email.body for word in words), email.body
    assert "http://127.0.0.1:8000/plans/p1" in email.body and "[Corridor]" in email.subject


def test_the_step_awaited_is_named_for_each_stage(parties):
    from corridor.service.ledger.record import current_fold

    submitted(parties)
    plan = current_fold().state.plans["p1"]
    assert awaited_step(plan, "border") == "consent"
    version = plan.version
    for n, party in enumerate(("border", "customs", "recv", "escort"), 1):
        with clock.frozen_at(T + n * 60):
            parties[party].post("/plans/p1/consent", {"version": version})
    plan = current_fold().state.plans["p1"]
    assert plan.status == "cleared" and awaited_step(plan, "org-a") == "propose_slot"
    with clock.frozen_at(T + 600):
        parties["org-a"].post("/plans/p1/propose-slot", {"slot": "s1", "start": "2023-09-12T07:00:00Z",
                                                          "end": "2023-09-12T09:00:00Z"})
    assert awaited_step(current_fold().state.plans["p1"], "border") == "confirm_slot"


def test_the_expiry_reminder_says_when(parties):
    do_set_contact("customs", email="customs@example.org")
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body(expires_at="2023-09-20T00:00:00Z"))[0] == 201
    with clock.frozen_at(T + 9 * 86400):
        worker.process_due()
    expiry = [m for m in mail.outbox if "expires" in m.subject]
    assert len(expiry) == 1 and "expires at 2023-09-20 00:00 UTC" in expiry[0].body
