"""Authorisation: every role × action pair, through the API paths that need each action."""

from __future__ import annotations

import io

import pytest

from corridor.service import clock
from corridor.service.parties.authz import ACTIONS, ROLE_ACTIONS, parties_for, role_allows
from corridor.service.parties.operations import do_create_user, do_issue_token

from ..conftest import PartyClient
from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000
CREW = {"leg-a": [{"name": "Driver One", "document": "P1234567"}]}


def user_client(party: str, role: str) -> PartyClient:
    user, _ = do_create_user(f"{party}-{role}", party, role)
    return PartyClient(party, do_issue_token(user))


def manifest_upload(client) -> int:
    upload = io.BytesIO(b"id,item,category,quantity,unit,weight_kg\nrice,Rice,food,10,t,10000\n")
    upload.name = "manifest.csv"
    return client.post("/api/v1/manifest/parse", {"file": upload}).status_code


def outcome(client, action: str) -> bool:
    """Whether `client` could take `action` through the API (refusals by the rules still count as allowed)."""
    if action == "view":
        return client.get("/plans/p1")[0] == 200
    if action == "view_private":
        return client.get("/plans/p1")[1].get("crew") is not None
    if action == "sign":
        with clock.frozen_at(T + 120):
            return client.post("/plans/p1/note", {"sha256": "a" * 64})[0] == 201
    if action == "import":
        return manifest_upload(client.client) == 200
    if action == "manage":
        with clock.frozen_at(T + 180):
            return client.post(f"/parties/{client.party}/keys/rotate?as={client.party}")[0] == 201
    raise AssertionError(action)


@pytest.fixture
def plan(parties):
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body(crew=CREW))[0] == 201
    return parties


@pytest.mark.parametrize("role", ["public", "viewer", "officer", "admin"])
@pytest.mark.parametrize("action", ACTIONS)
def test_every_role_and_action(plan, role, action):
    if role == "public":
        from django.test import Client

        client = PartyClient("org-a", "unused")
        client.client = Client()
    else:
        client = user_client("org-a", role)
    assert outcome(client, action) == (action in ROLE_ACTIONS[role]), (role, action)


@pytest.mark.parametrize("role", ["viewer", "officer", "admin"])
def test_observers_read_and_never_act_whatever_their_role(plan, role):
    client = user_client("mediator", role)
    assert outcome(client, "view")
    assert not outcome(client, "sign") and not outcome(client, "view_private")


def test_a_rotated_key_signs_from_then_on_and_the_old_one_is_revoked(plan):
    from corridor.service.parties.models import PartyKey

    admin = user_client("org-a", "admin")
    old = PartyKey.objects.get(party_id="org-a", revoked_at__isnull=True).key_id
    with clock.frozen_at(T + 60):
        rotated = admin.post("/parties/org-a/keys/rotate")[1]
    assert rotated["type"] == "key.rotate" and rotated["key"] == old
    with clock.frozen_at(T + 120):
        note = admin.post("/plans/p1/note", {"sha256": "c" * 64})[1]
    assert note["key"] != old
    assert PartyKey.objects.get(key_id=old).revoked_at == rotated["index"]


def test_a_party_acts_only_as_itself(plan):
    client = user_client("org-a", "officer")
    with clock.frozen_at(T + 60):
        status, answer = client.post("/plans/p1/note?as=border", {"sha256": "b" * 64})
    assert (status, answer["code"]) == (403, "auth.forbidden")


def test_the_table_and_the_function_agree():
    for role, allowed in ROLE_ACTIONS.items():
        for action in ACTIONS:
            assert role_allows(role, action, "humanitarian") == (action in allowed)
            assert role_allows(role, action, "observer") == (action == "view" and action in allowed)
    assert parties_for(None, "view") == []
