"""API tokens: the token, its user and the user's roles are read on every request, so withdrawing any of
them stops the next request at once (nothing is cached between requests), and a user acting for several
parties names one."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.parties.models import ApiToken, Membership
from corridor.service.parties.operations import do_create_user, do_issue_token

from ..conftest import PartyClient
from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000


@pytest.fixture
def officer(parties):
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    user, _ = do_create_user("org-a-officer", "org-a", "officer")
    return user, PartyClient("org-a", do_issue_token(user))


def note(client: PartyClient, n: int, query: str = "") -> tuple[int, str | None]:
    with clock.frozen_at(T + 60 + n):
        status, body = client.post(f"/plans/p1/note{query}", {"sha256": f"{n:064x}"})
    return status, body.get("code")


def test_a_withdrawn_role_a_deactivated_user_and_a_deleted_token_stop_the_next_request(officer):
    user, client = officer
    assert note(client, 1)[0] == 201
    Membership.objects.filter(user=user).update(role="viewer")
    assert note(client, 2) == (403, "auth.forbidden")
    Membership.objects.filter(user=user).update(role="officer")
    assert note(client, 3)[0] == 201
    user.is_active = False
    user.save()
    assert note(client, 4) == (401, "auth.invalid")
    user.is_active = True
    user.save()
    assert note(client, 5)[0] == 201
    ApiToken.objects.filter(user=user).delete()
    assert note(client, 6) == (401, "auth.invalid")


def test_a_user_of_several_parties_names_the_one_it_acts_for(officer):
    user, client = officer
    Membership.objects.create(user=user, party_id="border", role="officer")
    assert note(client, 1) == (400, "auth.ambiguous")
    status, body = client.post("/plans/p1/note?as=border", {"sha256": "b" * 64})
    assert (status, body["party"], body["signed_by"]) == (201, "border", "custodial")
    assert note(client, 2, "?as=customs") == (403, "auth.forbidden")
    status, body = client.get("/me")
    assert status == 200 and body["user"] == "org-a-officer"
