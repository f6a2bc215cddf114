"""`POST /checkpoint-app/submit`: what an officer's device signed offline with its passkey (a software
authenticator here, making genuine WebAuthn assertions) reaches the log inside the operator's offline.relay, with
when it was signed and when it arrived; late statements are kept with no effect and a late.* code; a duplicate is
answered again; anything refused leaves the log as it was."""

from __future__ import annotations

import base64
import copy
import json
import secrets

import pytest
from django.test import Client

from corridor.engine.times import format_time
from corridor.fold import LogFold
from corridor.ledger.audit import audit_entries
from corridor.ledger.envelope import statement_digest, unseal, with_passkey
from corridor.service import clock
from corridor.service.config import CONFIG
from corridor.service.ledger.keys import OPERATOR, operator_public
from corridor.service.ledger.models import LogEntry, StatementIndex
from corridor.service.ledger.origins import policy
from corridor.service.ledger.record import current_fold, custodial, record_built
from corridor.service.parties.operations import do_create_user
from corridor.service.parties.passkeys import bind
from corridor.service.passages.models import Leg
from tests.ledger.authenticator import Authenticator

from . import stages
from .test_signing import enrol

pytestmark = pytest.mark.django_db
SUBMIT = "/checkpoint-app/submit"
ARRIVED = 1694433900  # 11 Sep 2023 12:05 UTC, at Lachin in the slot 12:00-13:00
BACK_ONLINE = ARRIVED + 3 * 3600
ENROLLED = ARRIVED - 3600  # the officers bound their tablets' passkeys before the convoy came


class Officer:
    """A signed-in officer of `party` and their tablet: a passkey bound to the party on the log."""

    def __init__(self, name: str, party: str, role: str = "officer") -> None:
        self.user = do_create_user(name, party, role, password="a-long-test-password")[0]
        self.party = party
        self.client = Client()
        self.client.force_login(self.user)
        self.device = Authenticator("ES256", origin=CONFIG.webauthn_origin, rp_id=CONFIG.webauthn_rp_id)
        self.passkey = enrol(self.user, party, self.device, bound=False)
        with clock.frozen_at(ENROLLED):
            record_built([bind(self.passkey)])

    def sign(self, kind: str, payload: dict, at: int, plan: str = "p1", mark: str | None = None, **options) -> dict:
        """What the device builds and signs offline: the statement and the assertion, as the app sends them."""
        statement = with_passkey({"type": kind, "party": self.party, "plan": plan, "time": format_time(at),
                                  "offline": {"id": mark or secrets.token_hex(16)}, "payload": copy.deepcopy(payload)},
                                 self.device.credential)
        assertion = self.device.assertion(statement_digest(statement), **options)
        return {"statement": statement, "assertion": {
            "authenticatorData": _b64url(assertion.authenticator_data),
            "clientDataJSON": _b64url(assertion.client_data_json), "signature": _b64url(assertion.signature)}}

    def send(self, body: object, at: int = BACK_ONLINE, raw: bytes | None = None,
             language: str = "en") -> tuple[int, dict]:
        with clock.frozen_at(at):
            response = self.client.post(SUBMIT, raw if raw is not None else json.dumps(body),
                                        content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
        return response.status_code, response.json()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


ARRIVAL = {"leg": "leg-a", "checkpoint": "lachin-checkpoint"}
INSPECTION = {"leg": "leg-a", "checkpoint": "lachin-checkpoint", "findings": [{"line": "flour", "found": 20}],
              "decision": "cleared"}


@pytest.fixture
def scheduled(parties):
    stages.submitted(parties)
    stages.consented(parties)
    stages.scheduled(parties)
    return parties


@pytest.fixture
def border(scheduled):
    return Officer("border-officer", "border")


@pytest.fixture
def customs(scheduled):
    return Officer("customs-officer", "customs")


def entries() -> list[bytes]:
    return [bytes(data) for data in LogEntry.objects.order_by("idx").values_list("data", flat=True)]


def test_arrival_and_inspection_signed_offline_pass_the_checkpoint_and_verify(border, customs):
    status, arrived = border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))
    assert status == 201, arrived
    assert (arrived["status"], arrived["applied"], arrived["signed"], arrived["received"]) == (
        "recorded", True, "2023-09-11T12:05:00Z", "2023-09-11T15:05:00Z")
    status, inspected = customs.send(customs.sign("leg.inspect", INSPECTION, ARRIVED + 900), BACK_ONLINE + 5)
    assert (status, inspected["applied"], inspected["type"]) == (201, True, "leg.inspect"), inspected
    assert inspected["index"] == arrived["index"] + 1
    assert Leg.objects.get(plan_id="p1", leg_id="leg-a").phase == "cleared"
    leg = current_fold().state.plans["p1"].legs["leg-a"]
    assert leg.arrivals == [(ARRIVED, "lachin-checkpoint")] and leg.inspections[0][0] == ARRIVED + 900
    relay = unseal(bytes(LogEntry.objects.get(idx=arrived["index"]).data)).statement
    assert (relay["type"], relay["party"], relay["time"], relay["plan"]) == (
        "offline.relay", OPERATOR, "2023-09-11T15:05:00Z", "p1")
    row = StatementIndex.objects.get(idx=arrived["index"])
    assert (row.type, row.subject) == ("offline.relay", relay["payload"]["statement"]["offline"]["id"])
    # anyone replaying or verifying the log checks the officers' passkeys inside the relays
    summary = audit_entries(entries(), [(OPERATOR, operator_public())], webauthn=policy())
    assert summary.parties[OPERATOR]["registrar"] >= 2  # the relays are the operator's statements
    fold = LogFold(OPERATOR, operator_public(), webauthn=policy())
    for entry in entries():
        fold.apply_entry(entry)
    assert fold.state.offline == current_fold().state.offline


def test_the_same_offline_statement_sent_twice_is_answered_again_and_recorded_once(border):
    body = border.sign("leg.arrive", ARRIVAL, ARRIVED)
    status, first = border.send(body)
    size = LogEntry.objects.count()
    status, again = border.send(body, BACK_ONLINE + 60)
    assert (status, again["status"]) == (200, "duplicate")
    assert {k: v for k, v in again.items() if k != "status"} == {k: v for k, v in first.items() if k != "status"}
    assert LogEntry.objects.count() == size


def test_once_the_fold_forgot_an_offline_id_it_is_still_answered_and_shown_from_its_relays_row(scheduled, border,
                                                                                              customs):
    """The fold keeps an offline id 72 hours (and the skew) after its relay (engine/rules/offline.py): sent again
    later, the statement is answered as a duplicate from the log, relayed no second time, and the plan page and
    the API still say when it was signed and received."""
    from corridor.engine.rules.offline import RETENTION_SECONDS

    body = border.sign("leg.arrive", ARRIVAL, ARRIVED)
    status, first = border.send(body)
    later = BACK_ONLINE + RETENTION_SECONDS + 60
    assert customs.send(customs.sign("leg.inspect", INSPECTION, later - 30), later)[0] == 201  # a relay: forgets
    assert body["statement"]["offline"]["id"] not in current_fold().state.offline
    size = LogEntry.objects.count()
    status, again = border.send(body, later + 60)
    assert (status, again["status"]) == (200, "duplicate") and LogEntry.objects.count() == size
    assert {k: v for k, v in again.items() if k != "status"} == {k: v for k, v in first.items() if k != "status"}
    with clock.frozen_at(later + 120):
        status, plan = scheduled["recv"].get("/plans/p1")
        page = border.client.get("/plans/p1").content.decode()
    arrival = next(row["offline"] for row in plan["timeline"] if row["type"] == "offline.relay")
    assert (arrival["type"], arrival["applied"], arrival["signed"], arrival["received"]) == (
        "leg.arrive", True, "2023-09-11T12:05:00Z", "2023-09-11T15:05:00Z")
    assert page.count("signed offline at") == 2


def test_another_statement_under_a_used_offline_id_is_refused(border):
    body = border.sign("leg.arrive", ARRIVAL, ARRIVED, mark="c" * 32)
    assert border.send(body)[0] == 201
    size = LogEntry.objects.count()
    status, answer = border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED + 1, mark="c" * 32))
    assert (status, answer["code"]) == (409, "offline.conflict")
    assert LogEntry.objects.count() == size


def test_plan_cancelled_meanwhile_the_inspection_is_recorded_with_no_effect(scheduled, border, customs):
    border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))
    stages.post(scheduled, "org-a", "/plans/p1/cancel", {"text": "road closed"}, BACK_ONLINE + 10)
    status, answer = customs.send(customs.sign("leg.inspect", INSPECTION, ARRIVED + 900), BACK_ONLINE + 20,
                                  language="fr")
    assert status == 201, answer
    assert (answer["status"], answer["applied"], answer["code"], answer["rule"]) == (
        "recorded", False, "late.plan_closed", "plan.closed")
    assert answer["message"].startswith("Enregistré")
    assert current_fold().state.plans["p1"].legs["leg-a"].inspections == []


def test_signed_more_than_72_hours_before_is_kept_with_no_effect(border):
    status, answer = border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED), ARRIVED + 72 * 3600 + 1)
    assert (status, answer["applied"], answer["code"]) == (201, False, "late.too_old")
    assert Leg.objects.get(plan_id="p1", leg_id="leg-a").phase == "planned"


REFUSED = {
    "signed in the future": (lambda o: o.sign("leg.arrive", ARRIVAL, BACK_ONLINE + 301), 422, "offline.future"),
    "go is not recorded offline": (lambda o: o.sign("plan.go", {}, ARRIVED), 422, "offline.kind"),
    "a changed payload": (lambda o: _changed(o.sign("leg.arrive", ARRIVAL, ARRIVED)), 403, "passkey.challenge"),
    "a foreign origin": (lambda o: o.sign("leg.arrive", ARRIVAL, ARRIVED, origin="https://evil.example"), 403,
                         "passkey.origin"),
    "no id": (lambda o: _without_id(o.sign("leg.arrive", ARRIVAL, ARRIVED)), 400, "offline.malformed"),
    "a sequence number": (lambda o: _numbered(o.sign("leg.arrive", ARRIVAL, ARRIVED)), 422, "statement.malformed"),
    "an assertion not in base64url": (lambda o: _bad_assertion(o.sign("leg.arrive", ARRIVAL, ARRIVED)), 400,
                                      "offline.malformed"),
    "an unknown plan": (lambda o: o.sign("leg.arrive", ARRIVAL, ARRIVED, plan="p9"), 422, "plan.unknown"),
    "another party": (lambda o: _as_party(o.sign("leg.arrive", ARRIVAL, ARRIVED), "customs"), 403,
                      "party.not_member"),
}


def _changed(body: dict) -> dict:  # signed a minute earlier (naming a checkpoint off the route: refused first)
    body["statement"]["time"] = format_time(ARRIVED - 60)
    return body


def _without_id(body: dict) -> dict:
    del body["statement"]["offline"]
    return body


def _numbered(body: dict) -> dict:
    body["statement"]["seq"] = 3
    return body


def _bad_assertion(body: dict) -> dict:
    body["assertion"]["signature"] += "+/"
    return body


def _as_party(body: dict, party: str) -> dict:
    body["statement"]["party"] = party
    return body


@pytest.mark.parametrize("case", REFUSED)
def test_a_refused_offline_statement_answers_its_code_and_records_nothing(border, case):
    make, status, code = REFUSED[case]
    size = LogEntry.objects.count()
    answered, answer = border.send(make(border), language="ru")
    assert (answered, answer["code"]) == (status, code), answer
    assert answer["message"] and code not in answer["message"]
    assert LogEntry.objects.count() == size


def test_a_passkey_of_another_member_of_the_party_is_refused(border):
    colleague = Officer("border-colleague", "border")
    status, answer = border.send(colleague.sign("leg.arrive", ARRIVAL, ARRIVED))
    assert (status, answer["code"]) == (403, "offline.passkey")


def test_a_passkey_revoked_before_it_came_back_online_is_refused(border):
    body = border.sign("leg.arrive", ARRIVAL, ARRIVED)
    with clock.frozen_at(ARRIVED + 600):
        record_built([custodial("border", "key.revoke", {"key": border.passkey.key_id, "reason": "device.lost"})])
    status, answer = border.send(body)
    assert (status, answer["code"]) == (403, "key.revoked")


def test_a_passkey_not_yet_bound_on_the_log_is_refused(border):
    border.device = Authenticator("ES256", origin=CONFIG.webauthn_origin, rp_id=CONFIG.webauthn_rp_id)
    enrol(border.user, "border", border.device, bound=False)
    status, answer = border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))
    assert (status, answer["code"]) == (403, "offline.passkey")


def test_a_malformed_body_and_get_and_anonymous_are_refused(border):
    assert border.send(None, raw=b"not json")[1]["code"] == "offline.malformed"
    assert border.send({"statement": []})[1]["code"] == "offline.malformed"
    signed = json.dumps(border.sign("leg.arrive", {**ARRIVAL, "leg": "@@"}, ARRIVED))
    status, answer = border.send(None, raw=signed.replace("@@", "\\ud800").encode())  # a lone surrogate: was a 500
    assert (status, answer["code"]) == (400, "offline.malformed")
    assert border.client.get(SUBMIT).status_code == 405
    anonymous = Client().post(SUBMIT, json.dumps(border.sign("leg.arrive", ARRIVAL, ARRIVED)),
                              content_type="application/json")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "auth.required")


def test_csrf_is_required(border):
    client = Client(enforce_csrf_checks=True)
    client.force_login(border.user)
    with clock.frozen_at(BACK_ONLINE):
        response = client.post(SUBMIT, json.dumps(border.sign("leg.arrive", ARRIVAL, ARRIVED)),
                               content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "csrf.failed")
    client.get("/checkpoints")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    with clock.frozen_at(BACK_ONLINE):
        response = client.post(SUBMIT, json.dumps(border.sign("leg.arrive", ARRIVAL, ARRIVED)),
                               content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content



def test_the_plan_page_and_the_api_say_when_it_was_signed_and_received(scheduled, border, customs):
    border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))
    customs.send(customs.sign("leg.inspect", INSPECTION, ARRIVED + 900), BACK_ONLINE + 5)
    with clock.frozen_at(BACK_ONLINE + 60):
        status, plan = scheduled["recv"].get("/plans/p1")
        page = border.client.get("/plans/p1").content.decode()
    assert status == 200
    relays = [row for row in plan["timeline"] if row["type"] == "offline.relay"]
    assert [(r["offline"]["type"], r["offline"]["party"], r["offline"]["signed"], r["offline"]["applied"])
            for r in relays] == [("leg.arrive", "border", "2023-09-11T12:05:00Z", True),
                                 ("leg.inspect", "customs", "2023-09-11T12:20:00Z", True)]
    [inspection] = plan["inspections"]
    assert (inspection["party"], inspection["at"], inspection["member"], inspection["decision"]) == (
        "customs", "2023-09-11T12:20:00Z", "customs/m1", "cleared")
    assert page.count("signed offline at") == 2 and "passkey of customs/m1" in page
    assert "not applied" not in page


def test_the_plan_page_says_why_a_late_statement_was_not_applied(scheduled, border, customs):
    border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))
    stages.post(scheduled, "org-a", "/plans/p1/cancel", {"text": "road closed"}, BACK_ONLINE + 10)
    customs.send(customs.sign("leg.inspect", INSPECTION, ARRIVED + 900), BACK_ONLINE + 20)
    with clock.frozen_at(BACK_ONLINE + 60):
        status, plan = scheduled["recv"].get("/plans/p1")
        page = border.client.get("/plans/p1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    late = [row["offline"] for row in plan["timeline"] if row["type"] == "offline.relay"][-1]
    assert (late["applied"], late["code"], late["rule"]) == (False, "late.plan_closed", "plan.closed")
    assert plan["inspections"] == []
    assert "not applied: Recorded on the log, but with no effect: the plan was closed" in page.replace("\n", " ")


def test_the_officers_party_is_told_a_statement_was_signed_offline_in_its_name(border):
    from corridor.service.outbox.models import Message
    from corridor.service.parties.models import PartyContact

    PartyContact.objects.create(party_id="border", email="duty@border.example")
    status, answer = border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))
    [notice] = Message.objects.filter(party="border", kind="signed", body__index=answer["index"])
    assert notice.subject == f"Signed offline in your name, received: leg.arrive (entry {answer['index']}, " \
                             "passkey of border/m1)"


def test_rebuilding_the_read_models_from_the_log_gives_the_same_rows(scheduled, border, customs):
    from corridor.service.ledger.rebuild import rebuild

    from ..ledger.test_rebuild import dump

    border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))
    stages.post(scheduled, "org-a", "/plans/p1/cancel", {"text": "road closed"}, BACK_ONLINE + 10)
    customs.send(customs.sign("leg.inspect", INSPECTION, ARRIVED + 900), BACK_ONLINE + 20)
    incremental = dump()
    assert sum(("type", "'offline.relay'") in row for row in incremental["log_statement"]) == 2
    rebuild()
    assert dump() == incremental


def test_two_requests_racing_with_the_same_statement_record_it_once(border, monkeypatch):
    """The second request checked before the first was recorded: the rules refuse its relay (offline.duplicate) and
    it answers as a duplicate."""
    from types import SimpleNamespace

    from corridor.service.web import offline_submit

    body = border.sign("leg.arrive", ARRIVAL, ARRIVED)
    status, first = border.send(body)
    real = offline_submit.current_fold
    now = real().state  # the fold as it stood before the first was recorded: the same plans, not its offline id
    stale = SimpleNamespace(state=SimpleNamespace(offline={}, plans=now.plans, routes=now.routes),
                            key_of=lambda key: real().key_of(key))
    calls = iter([stale])
    monkeypatch.setattr(offline_submit, "current_fold", lambda: next(calls, None) or real())
    size = LogEntry.objects.count()
    status, again = border.send(body, BACK_ONLINE + 1)
    assert (status, again["status"], again["index"]) == (200, "duplicate", first["index"])
    assert LogEntry.objects.count() == size
