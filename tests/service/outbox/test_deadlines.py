"""Response deadlines a requester sets: each awaited party is reminded at three quarters of its time and told
when it is over, by the worker; a party that has responded is not; changing the deadline replaces the
reminders not yet sent; only the requester sets it, never on a closed plan."""

from __future__ import annotations

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import Client, RequestFactory

from corridor.service import clock
from corridor.service.ledger.record import Refused
from corridor.service.outbox import worker
from corridor.service.outbox.deadlines import do_set_response_deadline
from corridor.service.outbox.models import Message
from corridor.service.parties.operations import do_create_user, do_set_contact
from corridor.service.passages.models import Plan

from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000
PASSWORD = "a-long-test-password"


@pytest.fixture
def awaited(parties):
    for party in ("border", "customs"):
        do_set_contact(party, email=f"{party}@example.org")
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    return parties


def reminders(kind: str) -> list[tuple[str, str]]:
    return sorted((m.party, m.due_at.isoformat()) for m in Message.objects.filter(kind=kind))


def test_setting_a_deadline_queues_reminders_for_the_parties_awaited_now(awaited):
    with clock.frozen_at(T + 60):
        do_set_response_deadline("p1", 48, party="org-a", username="org-a")
    assert reminders("deadline") == [("border", "2023-09-12T20:13:20+00:00"), ("customs", "2023-09-12T20:13:20+00:00")]
    assert reminders("overdue") == [("border", "2023-09-13T08:13:20+00:00"), ("customs", "2023-09-13T08:13:20+00:00")]


def test_a_party_that_responded_is_not_reminded(awaited):
    do_set_response_deadline("p1", 24, party="org-a", username="org-a")
    with clock.frozen_at(T + 3600):
        awaited["border"].post("/plans/p1/consent", {"version": Plan.objects.get(pk="p1").version})
        worker.process_due()  # the "awaited" emails
    mail.outbox.clear()
    with clock.frozen_at(T + 19 * 3600):
        assert worker.process_due() == 1
    [email] = mail.outbox
    assert email.to == ["customs@example.org"] and "Reminder" in email.subject
    assert "a response by 2023-09-12 08:13 UTC (in 5\xa0hours)" in email.body
    assert "Status: awaiting consent" in email.body  # as it is when the email is sent
    skipped = Message.objects.get(kind="deadline", party="border")
    assert skipped.sent_at is not None and "no longer awaited" in skipped.last_error
    with clock.frozen_at(T + 25 * 3600):
        assert worker.process_due() == 1
    assert "has passed" in mail.outbox[-1].subject


def test_the_next_step_gets_its_own_deadline(awaited):
    do_set_response_deadline("p1", 12, party="org-a", username="org-a")
    version = Plan.objects.get(pk="p1").version
    do_set_contact("org-a", email="ops@org-a.example")
    for n, party in enumerate(("border", "customs", "recv", "escort"), 1):
        with clock.frozen_at(T + n * 60):
            awaited[party].post("/plans/p1/consent", {"version": version})
    assert ("org-a", "2023-09-11T17:17:20+00:00") in reminders("deadline")  # cleared at T+240: propose a slot


def test_changing_or_removing_the_deadline_replaces_the_unsent_reminders(awaited):
    do_set_response_deadline("p1", 24, party="org-a", username="org-a")
    do_set_response_deadline("p1", 72, party="org-a", username="org-a")
    assert {due for _, due in reminders("overdue")} == {"2023-09-14T08:13:20+00:00"}
    do_set_response_deadline("p1", 0, party="org-a", username="org-a")
    assert reminders("deadline") == [] and reminders("overdue") == []


def test_only_the_requester_sets_it_and_only_offered_values(awaited):
    with pytest.raises(Refused) as refused:
        do_set_response_deadline("p1", 24, party="border", username="border")
    assert refused.value.code == "plan.not_found"
    with pytest.raises(Refused) as refused:
        do_set_response_deadline("p1", 5, party="org-a", username="org-a")
    assert refused.value.code == "deadline.invalid"


def signed_in(username: str, party: str) -> Client:
    do_create_user(username, party, "officer", password=PASSWORD)
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_form_sets_it_for_the_requester_and_answers_404_to_others(awaited):
    requester = signed_in("org-officer", "org-a")
    assert requester.post("/plans/p1/deadline", {"hours": "48"}).status_code == 302
    assert Message.objects.filter(kind="deadline").count() == 2
    assert signed_in("border-officer", "border").post("/plans/p1/deadline", {"hours": "12"}).status_code == 404
    assert signed_in("b-officer", "org-b").post("/plans/p1/deadline", {"hours": "12"}).status_code == 404
    assert Client().post("/plans/p1/deadline", {"hours": "12"}).status_code == 302  # to sign in
    from corridor.service.outbox.models import ResponseDeadline

    assert ResponseDeadline.objects.get(pk="p1").hours == 48


def render_tag(username: str, party: str | None) -> str:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/plans/p1")
    if party:
        do_create_user(username, party, "officer", password=PASSWORD)
    request.user = get_user_model().objects.get(username=username) if party else AnonymousUser()
    return Template("{% load deadlines %}{% response_deadline 'p1' %}").render(Context({"request": request}))


def test_the_plan_page_part_shows_the_form_to_the_requester_and_the_deadline_to_the_parties(awaited):
    do_set_response_deadline("p1", 48, party="org-a", username="org-a")
    mine = render_tag("org-officer", "org-a")
    assert 'action="/plans/p1/deadline"' in mine and '<option value="48" selected>' in mine
    theirs = render_tag("border-officer", "border")
    assert "within 48 hours" in theirs and "<form" not in theirs
    assert render_tag("b-officer", "org-b").strip() == "" and render_tag("anonymous", None).strip() == ""
