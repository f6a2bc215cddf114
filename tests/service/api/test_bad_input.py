"""Bad input gets a clear 4xx with a stable code, and leaves the database and the log as they were."""

from __future__ import annotations

import base64
import io

import pytest
from django.test import override_settings

from corridor.ledger.envelope import seal
from corridor.service import clock
from corridor.service.config import CONFIG

from ..plans import plan_body
from ..snapshot import counts

pytestmark = pytest.mark.django_db
T = 1694420000  # 2023-09-11, mid-morning


@pytest.fixture
def submitted(parties):
    with clock.frozen_at(T):
        status, answer = parties["org-a"].post("/plans", plan_body())
    assert status == 201, answer
    return parties


def refused(client_call, status: int, code: str) -> dict:
    before = counts()
    with clock.frozen_at(T + 60):
        got, answer = client_call()
    assert (got, answer.get("code")) == (status, code), answer
    assert answer["message"]
    assert counts() == before, "a refused request changed the database or the log"
    return answer


def test_malformed_json(submitted):
    refused(lambda: submitted["border"].post("/plans/p1/consent", raw=b"{not json"), 400, "json.malformed")
    refused(lambda: submitted["border"].post("/plans/p1/consent", raw=b"[1, 2]"), 400, "json.malformed")


def test_wrong_types(submitted):
    refused(lambda: submitted["border"].post("/plans/p1/consent", {"version": 5}), 422, "statement.malformed")
    bad = plan_body("p2")
    bad["legs"][0]["lines"][0]["quantity"] = 2.5
    refused(lambda: submitted["org-a"].post("/plans", bad), 422, "quantity.invalid")


def test_unknown_ids(submitted):
    refused(lambda: submitted["border"].post("/plans/nope/consent", {"version": "x"}), 404, "plan.not_found")
    refused(lambda: submitted["org-a"].post("/plans", plan_body("p3", legs=[{**plan_body()["legs"][0],
                                                                            "route": "road-z"}])),
            422, "route.unknown")
    refused(lambda: submitted["border"].post("/incidents/none/dispute", {"text": "no"}), 422, "incident.unknown")


def test_another_partys_plan_answers_404(submitted):
    refused(lambda: submitted["org-b"].post("/plans/p1/cancel", {}), 404, "plan.not_found")
    refused(lambda: submitted["mediator"].post("/plans/p1/note", {"sha256": "0" * 64}), 403, "auth.forbidden")


def test_replayed_statement(submitted, parties):
    from corridor.service.ledger.keys import open_private
    from corridor.service.parties.models import PartyKey

    key = open_private(PartyKey.objects.get(party_id="escort").sealed_private)
    from corridor.service.passages.models import Plan

    statement = {"type": "plan.consent", "party": "escort", "seq": 1, "time": "2023-09-11T08:14:00Z", "plan": "p1",
                 "payload": {"version": Plan.objects.get(pk="p1").version}}
    entry = seal(statement, key) + b"\n"  # as `corridor sign` prints it and `curl --data-binary @file` sends it
    with clock.frozen_at(T):
        assert parties["escort"].post("/statements", raw=entry)[0] == 201
    refused(lambda: parties["escort"].post("/statements", raw=entry), 409, "seq.duplicate")
    refused(lambda: parties["escort"].post("/statements", raw=b" " + entry), 422, "entry.not_canonical")


def test_stale_version(submitted):
    from corridor.service.passages.models import Plan

    old = Plan.objects.get(pk="p1").version
    with clock.frozen_at(T + 30):
        amended = plan_body()
        amended["legs"][0]["lines"][0]["quantity"] = 19
        amended.pop("plan")
        assert submitted["org-a"].post("/plans/p1/amend", amended)[0] == 201
    refused(lambda: submitted["border"].post("/plans/p1/consent", {"version": old}), 409, "version.stale")


def test_forged_and_future_statements(submitted):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forged = seal({"type": "plan.note", "party": "org-a", "seq": 2, "time": "2023-09-11T08:14:00Z", "plan": "p1",
                   "payload": {"sha256": "0" * 64}}, Ed25519PrivateKey.generate())
    refused(lambda: submitted["org-a"].post("/statements", raw=forged), 403, "key.unknown")
    refused(lambda: submitted["org-a"].post("/statements", raw=b'{"statement": {}}'), 422, "entry.malformed")
    refused(lambda: submitted["org-a"].post("/plans/p1/note", {"sha256": "0" * 63}), 422, "note.invalid")
    from corridor.service.ledger.keys import open_private
    from corridor.service.parties.models import PartyKey

    key = open_private(PartyKey.objects.get(party_id="org-a").sealed_private)
    later = seal({"type": "plan.note", "party": "org-a", "seq": 2, "time": "2023-09-11T10:00:00Z", "plan": "p1",
                  "payload": {"sha256": "0" * 64}}, key)
    refused(lambda: submitted["org-a"].post("/statements", raw=later), 422, "time.future")


def test_oversized_uploads(submitted):
    big = b'{"statement": "' + b"x" * 70000 + b'"}'
    refused(lambda: submitted["org-a"].post("/statements", raw=big), 413, "entry.too_large")
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        refused(lambda: submitted["border"].post("/plans/p1/note", {"title": "x" * 2000, "sha256": "0" * 64}),
                413, "upload.too_large")
    csv_file = io.BytesIO(b"id,item,category,quantity,unit,weight_kg\n" + b"a,b,c,1,t,1\n" * 2)
    csv_file.name = "m.csv"
    object.__setattr__(CONFIG, "max_upload_bytes", 10)
    try:
        response = submitted["org-a"].client.post("/api/v1/manifest/parse", {"file": csv_file})
    finally:
        object.__setattr__(CONFIG, "max_upload_bytes", 5 * 1024 * 1024)
    assert (response.status_code, response.json()["code"]) == (413, "upload.too_large")


def test_broken_xlsx(submitted):
    broken = io.BytesIO(b"PK\x03\x04" + base64.b64encode(b"not a workbook"))
    broken.name = "manifest.xlsx"
    before = counts()
    response = submitted["org-a"].client.post("/api/v1/manifest/parse", {"file": broken})
    assert (response.status_code, response.json()["code"]) == (422, "manifest.unreadable")
    assert counts() == before


def test_lone_surrogate_is_malformed_json(submitted):
    """`\\ud800` alone is valid to Python's `json` but is no Unicode text: it could never be signed (was a 500).
    A surrogate pair is one character, and is recorded."""
    def note(title: bytes) -> bytes:
        return b'{"sha256": "' + b"a" * 64 + b'", "kind": "letter", "title": "' + title + b'"}'

    refused(lambda: submitted["org-a"].post("/plans/p1/note", raw=note(b"\\ud800")), 400, "json.malformed")
    refused(lambda: submitted["org-a"].post("/plans/p1/note", raw=note(b"x\\udfffx")), 400, "json.malformed")
    refused(lambda: submitted["org-a"].post("/plans/p1/note", raw=note(b"\\ud800").decode().encode("utf-16-le")),
            400, "json.malformed")
    with clock.frozen_at(T + 60):
        status, answer = submitted["org-a"].post("/plans/p1/note", raw=note(b"\\ud83d\\ude9a"))
    assert status == 201, answer


def test_a_nul_in_a_plate_or_crew_member_is_refused(submitted):
    """Clear values are kept off the log, in private tables (PostgreSQL's text holds no NUL), and revealed on
    the log later (where no text holds one): refused as the log refuses it, before anything is kept."""
    plate = plan_body("p2")
    plate["legs"][0]["vehicles"][0]["plate"] = "AB\x00123"
    refused(lambda: submitted["org-a"].post("/plans", plate), 422, "value.nul")
    crew = plan_body("p3", crew={"leg-a": [{"name": "Driver", "document": "X\x001"}]})
    refused(lambda: submitted["org-a"].post("/plans", crew), 422, "value.nul")


@pytest.mark.parametrize("plate", ["", "   "], ids=["empty", "blank"])
def test_a_vehicle_without_a_plate_is_refused(parties, plate):
    """Nothing a checkpoint could match the vehicle by, and nothing a reveal could open (POST /plans/{plan}/
    openings refuses an empty plate too)."""
    leg = {**plan_body()["legs"][0], "vehicles": [{"id": "truck-1", "plate": plate, "type": "truck"}]}
    with clock.frozen_at(T):
        answer = refused(lambda: parties["org-a"].post("/plans", plan_body(legs=[leg])), 422, "plate.invalid")
    assert "cannot be empty" in answer["message"]


def test_a_plan_cannot_take_the_request_forms_address_as_its_id(parties):
    """`/plans/new` is the request form: a plan named `new` would have no page its parties could act on."""
    with clock.frozen_at(T):
        answer = refused(lambda: parties["org-a"].post("/plans", plan_body("new")), 422, "plan.invalid")
        assert "request form" in answer["message"]
        assert parties["org-a"].post("/plans", plan_body("new-1"))[0] == 201
