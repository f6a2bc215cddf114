"""API tokens: the token, its user and the user's roles are read on every request, so withdrawing any of
them stops the next request at once, and a user acting for several parties names one. A custodial action
by a token the process has read before reads it again in the transaction recording its statement (one
query for a batch), where a token revoked meanwhile refuses it."""

from __future__ import annotations

import contextlib

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.api import actions, auth
from corridor.service.api.auth import acting_party_at_commit, awaiting, token_checked_at_commit
from corridor.service.ledger.models import LogEntry
from corridor.service.ledger.record import custodial, record_built
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


def token_reads(queries) -> list[int]:
    return [n for n, query in enumerate(queries.captured_queries) if "apitoken" in query["sql"]]


def test_a_token_read_before_is_read_again_in_the_transaction_recording_the_note_not_before(officer):
    _, client = officer
    assert note(client, 1)[0] == 201
    with CaptureQueriesContext(connection) as queries:
        assert note(client, 2)[0] == 201
    reads = token_reads(queries)
    opened = next(n for n, query in enumerate(queries.captured_queries) if query["sql"].startswith("SAVEPOINT"))
    assert len(reads) == 1 and reads[0] > opened, queries.captured_queries


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_on_postgresql_the_token_is_read_in_the_writer_locks_query_after_the_lock(officer):
    """No round trip of its own while the lock is held; the lock's statement first, so a token revoked by a
    transaction committed before the lock was granted is read as revoked (READ COMMITTED)."""
    _, client = officer
    assert note(client, 1)[0] == 201
    with CaptureQueriesContext(connection) as queries:
        assert note(client, 2)[0] == 201
    locked = [query["sql"] for query in queries.captured_queries if "pg_advisory_xact_lock" in query["sql"]]
    assert len(locked) == 1 and len(token_reads(queries)) == 1, queries.captured_queries
    assert locked[0].index("pg_advisory_xact_lock") < locked[0].index('"parties_apitoken"')


def revoked_on_the_way(monkeypatch, revoke) -> None:
    """`revoke` runs after the request read its token, before its statement is recorded."""
    def record_after(builders):
        revoke()
        return record_built(builders)

    monkeypatch.setattr(actions, "record_built", record_after)


@pytest.mark.parametrize("revoke, refusal", [
    (lambda user: ApiToken.objects.filter(user=user).delete(), (401, "auth.invalid")),
    (lambda user: Membership.objects.filter(user=user).update(role="viewer"), (403, "auth.forbidden")),
    (lambda user: type(user).objects.filter(pk=user.pk).update(is_active=False), (401, "auth.invalid")),
], ids=["token deleted", "role withdrawn", "user deactivated"])
def test_a_token_revoked_while_its_note_is_on_the_way_records_nothing(officer, monkeypatch, revoke, refusal):
    user, client = officer
    assert note(client, 1)[0] == 201
    size = LogEntry.objects.count()
    revoked_on_the_way(monkeypatch, lambda: revoke(user))
    assert note(client, 2) == refusal
    assert LogEntry.objects.count() == size


def test_a_role_given_since_the_token_was_read_asks_which_party_as_before(officer):
    user, client = officer
    assert note(client, 1)[0] == 201
    Membership.objects.create(user=user, party_id="border", role="officer")
    assert note(client, 2) == (400, "auth.ambiguous")


def test_the_tokens_of_a_batch_are_read_in_one_query(parties):
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    checked = []
    for party in ("org-a", "border"):
        assert note(parties[party], len(checked))[0] == 201  # the process has read the token
        request = RequestFactory().post("/api/v1/plans/p1/note",
                                        HTTP_AUTHORIZATION=parties[party].client.defaults["HTTP_AUTHORIZATION"])
        assert token_checked_at_commit(request)
        checked.append(acting_party_at_commit(request))
    assert all(check is not None for _, check in checked)
    builders = [custodial(party, "plan.note", {"sha256": f"{n + 10:064x}"}, plan="p1", check=check)
                for n, (party, check) in enumerate(checked)]
    with contextlib.ExitStack() as on_the_way:
        for _, check in checked:
            on_the_way.enter_context(awaiting(check))
        with clock.frozen_at(T + 600), CaptureQueriesContext(connection) as queries:
            assert len(record_built(builders)) == 2
    assert len(token_reads(queries)) == 1
    assert not auth._awaiting


@pytest.mark.parametrize("path, body, refusal", [
    ("/plans/p1/note", b"{not json", "json.malformed"),
    ("/plans", b'{"route": []}', "plan.id_missing"),
    ("/plans/p1/note", b'{"sha256": "not hex"}', None),
    ("/plans/nowhere/note", b'{"sha256": "' + b"a" * 64 + b'"}', "plan.not_found"),
], ids=["not JSON", "no plan id", "refused by the rules", "not its plan"])
def test_an_action_refused_on_its_way_leaves_no_token_awaiting_its_check(officer, path, body, refusal):
    """Whether refused before its check (a body that is not JSON, no plan id) or at it, the token is no longer
    counted: later batches' token queries read only the tokens of their own statements."""
    _, client = officer
    assert note(client, 1)[0] == 201  # the process keeps the token: the next action is checked at commit
    with clock.frozen_at(T + 120):
        status, answer = client.post(path, raw=body)
    assert 400 <= status < 500 and answer["code"] == (refusal or answer["code"])
    assert not auth._awaiting
    assert note(client, 3)[0] == 201 and not auth._awaiting


def test_a_membership_moved_since_the_token_was_read_learns_nothing_of_the_former_partys_plans(officer):
    """An empty plan.reveal reads what the server keeps for the plan before recording: it must judge the party
    the token holds now, not the one this process read before (org-a's plan p1 answers org-b as any plan
    org-b takes no part in: 404, whatever its state)."""
    user, client = officer
    assert note(client, 1)[0] == 201  # the process keeps the token's holder: a member of org-a
    Membership.objects.filter(user=user).update(party_id="org-b")
    size = LogEntry.objects.count()
    with clock.frozen_at(T + 120):
        status, body = client.post("/plans/p1/reveal", {})
    assert (status, body.get("code")) == (404, "plan.not_found")
    assert LogEntry.objects.count() == size


@pytest.mark.parametrize("path, body", [
    ("/plans/p1/note", b"{not json"), ("/plans", b'{"route": []}'), ("/plans/p1/note", b'{"sha256": "not hex"}'),
], ids=["not JSON", "no plan id", "refused by the rules"])
def test_a_revoked_token_is_told_so_not_what_was_wrong_with_its_body(officer, path, body):
    """A token this process kept is read again when its action is refused before the commit-time check: once
    revoked it answers 401, as any other request of it would, whatever its body, and is no longer kept."""
    user, client = officer
    assert note(client, 1)[0] == 201  # kept
    ApiToken.objects.filter(user=user).delete()
    with clock.frozen_at(T + 120):
        status, answer = client.post(path, raw=body)
    assert (status, answer["code"]) == (401, "auth.invalid")
    assert kept_digest(client) not in auth._kept


def test_a_token_found_revoked_by_any_request_is_no_longer_kept(officer):
    user, client = officer
    assert note(client, 1)[0] == 201
    ApiToken.objects.filter(user=user).delete()
    assert kept_digest(client) in auth._kept
    assert client.get("/me")[0] == 401
    assert kept_digest(client) not in auth._kept


def kept_digest(client: PartyClient) -> str:
    return ApiToken.digest_of(client.client.defaults["HTTP_AUTHORIZATION"].removeprefix("Bearer "))
