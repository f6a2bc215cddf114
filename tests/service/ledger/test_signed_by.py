"""How each statement was signed is in the statement index (`signed_by`, `member`), from the log's key
history: the server's custodial keys say so on the log, a key the party keeps does not, the registry is
the registrar's; `corridor rebuild` gives the same columns."""

from __future__ import annotations

import json

import msgspec
import pytest

from corridor.fold import Folded
from corridor.ledger.envelope import Envelope, seal
from corridor.ledger.keys import KeyRecord
from corridor.service import clock
from corridor.service.ledger.models import LogEntry, StatementIndex
from corridor.service.ledger.projection import signer_columns, statement_columns
from corridor.service.ledger.rebuild import rebuild
from corridor.service.parties.operations import do_register_party, do_rotate_key
from tests.test_fold import ORG_KEY, org, passkey_fold, submit

from ..plans import plan_body
from ..signing import own_key, self_signed

pytestmark = pytest.mark.django_db
T = 1694420000


def signed(**filters) -> list[tuple[str, str | None]]:
    return list(StatementIndex.objects.filter(**filters).order_by("idx").values_list("signed_by", "member"))


def payload_at(index: int) -> dict:
    return json.loads(bytes(LogEntry.objects.get(idx=index).data))["statement"]["payload"]


def test_the_registry_is_the_registrars_and_what_the_server_signs_is_custodial(parties):
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    assert set(signed(type__in=["party.register", "key.register", "route.define"])) == {("registrar", None)}
    assert signed(type="plan.submit") == [("custodial", None)]


def test_the_server_says_on_the_log_which_keys_it_keeps(parties):
    registrations = StatementIndex.objects.filter(type="key.register").values_list("idx", flat=True)
    assert registrations and all(payload_at(i)["custodial"] is True for i in registrations)
    with clock.frozen_at(T):
        [_, key] = do_register_party("ngo-own", "Own-key NGO", "humanitarian", public=b"\x01" * 32)
    assert "custodial" not in key.folded.envelope.statement["payload"]  # the party keeps its own key


def test_a_statement_the_party_signed_itself_is_the_partys(parties):
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    key = own_key("org-a", T + 10)
    status, answer = self_signed(parties["org-a"], key, "plan.note", {"sha256": "a" * 64}, T + 20, plan="p1")
    assert status == 201 and (answer["signed_by"], answer["member"]) == ("party", None)
    assert signed(type="plan.note") == [("party", None)]
    with clock.frozen_at(T + 30):
        status, answer = parties["org-a"].post("/plans/p1/note", {"sha256": "b" * 64})
    assert answer["signed_by"] == "custodial"  # the server still holds a key for org-a, and says so


def test_a_rotated_custodial_key_is_still_the_servers(parties):
    with clock.frozen_at(T):
        do_rotate_key("org-a")
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    assert signed(type__in=["key.rotate", "plan.submit"]) == [("custodial", None), ("custodial", None)]


def fake_folded(key: str) -> Folded:
    statement = {"type": "plan.note", "party": "border", "seq": 3, "time": "2023-09-11T08:00:00Z", "key": key}
    return Folded(7, Envelope(statement, b"", b""), None)


class FakeFold:
    def __init__(self, record: KeyRecord) -> None:
        self.record = record

    def key_of(self, key: str) -> KeyRecord | None:
        return self.record if key == self.record.key else None


@pytest.mark.parametrize(("record", "expected"), [
    (KeyRecord("passkey:" + "ab" * 16, "border", b"cose", 5, kind="passkey", member="border/m3"),
     {"signed_by": "passkey", "member": "border/m3"}),
    (KeyRecord("ed25519:" + "cd" * 16, "border", b"k" * 32, 5, custodial=True),
     {"signed_by": "custodial", "member": None}),
    (KeyRecord("ed25519:" + "ef" * 16, "border", b"k" * 32, 5), {"signed_by": "party", "member": None}),
    (KeyRecord("ed25519:" + "01" * 16, "operator", b"k" * 32, -1, registrar=True),
     {"signed_by": "registrar", "member": None}),
])
def test_the_signing_columns_come_from_the_key_record(record, expected):
    assert signer_columns(fake_folded(record.key), FakeFold(record)) == expected


def test_a_passkey_signed_entry_names_its_member():
    fold, admin, member = passkey_fold()
    body = msgspec.json.decode(submit())["statement"]["payload"]
    folded = fold.apply_entry(member.seal(org(3, "plan.submit", body, plan="p")))
    columns = statement_columns(folded, fold)
    assert (columns["signed_by"], columns["member"], columns["party"]) == ("passkey", "org/m2", "org")
    revoke = fold.apply_entry(admin.seal(org(4, "key.revoke", {"key": member.key, "reason": "phone lost"})))
    assert signer_columns(revoke, fold) == {"signed_by": "passkey", "member": "org/m1"}
    custodial = fold.apply_entry(seal(org(5, "plan.cancel", {}, plan="p"), ORG_KEY))
    assert signer_columns(custodial, fold) == {"signed_by": "custodial", "member": None}


def test_rebuild_gives_the_same_signing_columns(parties):
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    key = own_key("org-a", T + 10)
    assert self_signed(parties["org-a"], key, "plan.note", {"sha256": "a" * 64}, T + 20, plan="p1")[0] == 201
    before = list(StatementIndex.objects.order_by("idx").values_list("idx", "signed_by", "member"))
    assert {kind for _, kind, _ in before} == {"registrar", "custodial", "party"}
    rebuild()
    assert list(StatementIndex.objects.order_by("idx").values_list("idx", "signed_by", "member")) == before
