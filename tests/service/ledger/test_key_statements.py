"""Key statements a party signs itself (`POST /api/v1/statements`) pass the same checks as every other
statement: strict shape (unknown fields refused, no `plan`), a valid RFC 3339 time, not behind the log."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from corridor.ledger.crypto import public_bytes
from corridor.ledger.envelope import key_id, seal
from corridor.service import clock
from corridor.service.ledger.keys import open_private
from corridor.service.ledger.models import StatementIndex
from corridor.service.parties.models import PartyKey

from ..plans import plan_body
from ..snapshot import counts

pytestmark = pytest.mark.django_db
T = 1694420000  # 2023-09-11T08:13:20Z
NOW = "2023-09-11T08:14:00Z"


@pytest.fixture
def org(parties):
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    return parties["org-a"]


def org_key():
    return open_private(PartyKey.objects.get(party_id="org-a", revoked_at=None).sealed_private)


def rotate(**changes) -> bytes:
    new = base64.b64encode(public_bytes(Ed25519PrivateKey.generate())).decode()
    statement = {"type": "key.rotate", "party": "org-a", "seq": 2, "time": NOW, "payload": {"public": new}}
    return seal({**statement, **changes}, org_key())


def refused(org, entry: bytes, code: str, status: int = 422) -> None:
    before = counts()
    with clock.frozen_at(T + 60):
        got, answer = org.post("/statements", raw=entry)
    assert (got, answer.get("code")) == (status, code), answer
    assert counts() == before


def test_a_well_formed_key_rotation_is_recorded(org):
    with clock.frozen_at(T + 60):
        assert org.post("/statements", raw=rotate())[0] == 201


def test_a_key_statement_dated_behind_the_log_is_refused(org):
    refused(org, rotate(time="1970-01-01T00:00:00Z"), "time.backwards")


def test_a_malformed_time_is_refused_not_a_server_error(org):
    refused(org, rotate(time="yesterday"), "time.invalid")
    refused(org, rotate(time=12), "time.invalid")


def test_unknown_fields_are_refused(org):
    refused(org, rotate(note="hello"), "statement.malformed")
    new = base64.b64encode(public_bytes(Ed25519PrivateKey.generate())).decode()
    refused(org, rotate(payload={"public": new, "comment": "x"}), "statement.malformed")


def test_a_key_statement_names_no_plan(org):
    refused(org, rotate(plan="p1"), "statement.malformed")
    assert not StatementIndex.objects.filter(plan="p1", type__startswith="key.").exists()


def test_revocation_is_checked_the_same_way(org):
    own = key_id(public_bytes(org_key()))
    revoke = {"type": "key.revoke", "party": "org-a", "seq": 2, "time": NOW, "payload": {"key": own}}
    refused(org, seal({**revoke, "plan": "p1"}, org_key()), "statement.malformed")
    refused(org, seal({**revoke, "time": "1970-01-01T00:00:00Z"}, org_key()), "time.backwards")
    refused(org, seal({**revoke, "payload": {"key": own, "why": "x"}}, org_key()), "statement.malformed")
