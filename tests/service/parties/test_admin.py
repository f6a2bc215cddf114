"""The admin for operators: saving a party or a route records the operator's signed statement; the admin
never writes those tables itself, and cannot delete what the log holds."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.parties.models import Party, Route

pytestmark = pytest.mark.django_db
T = 1694420000


@pytest.fixture
def operator_client(parties, client):
    get_user_model().objects.create_superuser("op", "op@example.org", "pw-for-tests-only")
    client.login(username="op", password="pw-for-tests-only")
    return client


def test_adding_a_route_in_the_admin_records_route_define(operator_client):
    form = {"id": "road-c", "name": "Road C",
            "checkpoints": json.dumps([{"id": "gate-c", "name": "Gate C", "inspected_by": ["border"]}]),
            "policy": json.dumps([{"party": "border", "capacity": "border_control"}])}
    with clock.frozen_at(T):
        response = operator_client.post("/admin/parties/route/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    route = Route.objects.get(pk="road-c")
    assert route.definition["checkpoints"][0]["inspected_by"] == ["border"]
    statement = StatementIndex.objects.get(type="route.define", subject="road-c")
    assert statement.party == "operator"


def test_a_bad_route_is_refused_with_the_form_error(operator_client):
    form = {"id": "road-d", "name": "Road D", "checkpoints": json.dumps([{"name": "no id"}]), "policy": "[]"}
    response = operator_client.post("/admin/parties/route/add/", form)
    assert response.status_code == 200 and "not a valid route" in response.content.decode()
    assert not Route.objects.filter(pk="road-d").exists()


def test_a_route_keeps_its_checkpoints_time_zone_and_an_unknown_zone_is_refused(operator_client):
    checkpoints = [{"id": "gate-e", "name": "Gate E", "tz": "Asia/Baku"}]
    form = {"id": "road-e", "name": "Road E", "checkpoints": json.dumps(checkpoints),
            "policy": json.dumps([{"party": "border", "capacity": "border_control"}])}
    with clock.frozen_at(T):
        assert operator_client.post("/admin/parties/route/add/", form).status_code == 302
    assert Route.objects.get(pk="road-e").definition["checkpoints"][0]["tz"] == "Asia/Baku"
    form |= {"id": "road-f", "checkpoints": json.dumps([{"id": "g", "name": "G", "tz": "Asia/Atlantis"}])}
    response = operator_client.post("/admin/parties/route/add/", form)
    assert response.status_code == 200 and "unknown IANA time zone: Asia/Atlantis" in response.content.decode()


def test_renaming_a_party_is_a_signed_statement_and_deleting_is_not_offered(operator_client):
    with clock.frozen_at(T):
        response = operator_client.post("/admin/parties/party/recv/change/", {"name": "Receiving authority (town)"})
    assert response.status_code == 302
    assert Party.objects.get(pk="recv").name == "Receiving authority (town)"
    assert StatementIndex.objects.filter(type="party.register", subject="recv").count() == 2
    assert operator_client.get("/admin/parties/party/recv/delete/").status_code == 403


@pytest.mark.parametrize("page", ["passages/plan", "passages/attestation", "incidents/incident", "outbox/message",
                                  "ledger/statementindex", "parties/party", "parties/route", "parties/partykey"])
def test_every_admin_list_opens_and_read_models_cannot_be_added(operator_client, page):
    assert operator_client.get(f"/admin/{page}/").status_code == 200
    if not page.startswith("parties/"):
        assert operator_client.get(f"/admin/{page}/add/").status_code == 403


def test_a_save_the_log_refuses_says_so_and_not_that_it_succeeded(operator_client, monkeypatch):
    """A route redefined while a plan uses it is refused (route.in_use) after the form is valid: the admin
    showed the refusal and then "was changed successfully" beside it."""
    from corridor.service.ledger.record import Refused
    from corridor.service.parties.admin import RouteAdmin

    def refused(self, obj, form, change):
        raise Refused("route.in_use", "route road-c carries a passage that is not over", 409)

    monkeypatch.setattr(RouteAdmin, "record", refused)
    form = {"id": "road-c", "name": "Road C",
            "checkpoints": json.dumps([{"id": "gate-c", "name": "Gate C", "inspected_by": ["border"]}]),
            "policy": json.dumps([{"party": "border", "capacity": "border_control"}])}
    response = operator_client.post("/admin/parties/route/add/", form, follow=True)
    shown = [(message.level_tag, str(message)) for message in response.context["messages"]]
    assert shown == [("error", "Not recorded: [route.in_use] route road-c carries a passage that is not over")]
