"""The API shows how each statement was signed: the plan's timeline, an incident claim and its export, the
OpenAPI document; and a party's admins page through every statement signed in its name."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from corridor.service import clock
from corridor.service.ledger.integrator import integrate_now
from corridor.service.parties.operations import do_create_user, do_issue_token

from ..conftest import PartyClient
from ..plans import plan_body
from ..signing import custody_regained, own_key, self_signed

pytestmark = pytest.mark.django_db
T = 1694420000
CLAIM = {"incident": "gnss-1", "category": "interference", "place": {"name": "Airspace"},
         "occurred_from": "2023-09-10T00:00:00Z", "text": "GNSS interference"}


def token_of(username: str, party: str, role: str) -> PartyClient:
    user, _ = do_create_user(username, party, role)
    return PartyClient(party, do_issue_token(user))


@pytest.fixture
def signed(parties):
    """p1 submitted by the server for org-a, then a note org-a signed with its own key."""
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    key = own_key("org-a", T + 10)
    assert self_signed(parties["org-a"], key, "plan.note", {"sha256": "a" * 64}, T + 20, plan="p1")[0] == 201
    return parties


def test_the_plan_timeline_says_how_each_statement_was_signed(signed, public):
    timeline = public.get("/api/v1/plans/p1").json()["timeline"]
    assert [(s["type"], s["party"], s["signed_by"], s["member"]) for s in timeline] == [
        ("plan.submit", "org-a", "custodial", None), ("plan.note", "org-a", "party", None)]
    assert set(timeline[0]) == {"index", "type", "party", "seq", "time", "plan", "signed_by", "member", "proof"}


def test_an_incident_claim_and_its_export_say_how_the_claim_was_signed(parties, tiles, public):
    with clock.frozen_at(T):
        assert parties["border"].post("/incidents", CLAIM)[0] == 201
    claim = public.get("/api/v1/incidents/gnss-1").json()
    assert (claim["signed_by"], claim["member"]) == ("custodial", None)
    integrate_now()  # the export is the figures at the published checkpoint
    text = public.get("/api/v1/export/incidents.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(text.split("\r\n", 1)[1])))
    assert (rows[0]["signed_by"], rows[0]["member"]) == ("custodial", "")
    hxl = public.get("/api/v1/export/incidents.hxl").content.decode().splitlines()[2]
    assert hxl.endswith("#meta+signed_by,#meta+signed_by+member")


def test_a_partys_admin_pages_through_what_was_signed_in_its_name(signed):
    admin = token_of("org-a-admin", "org-a", "admin")
    status, page = admin.get("/parties/org-a/signatures", page_size=1)
    assert status == 200 and [r["signed_by"] for r in page["results"]] == ["party"]
    status, rest = admin.get("/parties/org-a/signatures", before=page["next_before"], page_size=50)
    # the operator registered the key org-a keeps, org-a's first key and org-a itself: about it, not in its name
    assert [(r["type"], r["about_party"]) for r in rest["results"]] == [
        ("key.register", True), ("plan.submit", False), ("key.register", True), ("party.register", True)]
    assert rest["next_before"] is None and page["results"][0]["index"] > rest["results"][0]["index"]


def test_the_operator_registering_a_custodial_key_for_a_party_is_in_its_admins_list_only(parties):
    entries = custody_regained("border", T)
    status, page = token_of("border-admin", "border", "admin").get("/parties/border/signatures", page_size=2)
    assert status == 200
    assert [(r["index"], r["type"], r["party"], r["signed_by"], r["about_party"]) for r in page["results"]] == [
        (entries["registered"], "key.register", "operator", "registrar", True),
        (entries["ended"], "key.revoke", "border", "custodial", False)]
    _, other = token_of("org-a-admin", "org-a", "admin").get("/parties/org-a/signatures", page_size=100)
    assert not {r["index"] for r in other["results"]} & set(entries.values())


def test_only_the_partys_admins_see_its_signatures(signed):
    officer = token_of("org-a-officer", "org-a", "officer")
    other_admin = token_of("border-admin", "border", "admin")
    for client in (officer, other_admin):
        status, answer = client.get("/parties/org-a/signatures")
        assert (status, answer["code"]) == (404, "party.not_found")
    response = Client().get("/api/v1/parties/org-a/signatures")
    assert (response.status_code, response.json()["code"]) == (401, "auth.required")


def test_the_openapi_document_describes_how_statements_were_signed(public):
    spec = public.get("/api/v1/openapi.json").json()
    statement = spec["components"]["schemas"]["Statement"]
    assert {"signed_by", "member"} <= set(statement["required"]) and "passkey" in \
        statement["properties"]["signed_by"]["description"]
    plan = spec["paths"]["/api/v1/plans/{plan}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert plan["schema"]["properties"]["timeline"]["items"]["$ref"] == "#/components/schemas/Statement"
    recorded = spec["components"]["schemas"]["Recorded"]["properties"]
    assert {"signed_by", "member"} <= set(recorded)
    signatures = spec["paths"]["/api/v1/parties/{party}/signatures"]["get"]
    assert {p["name"] for p in signatures["parameters"]} == {"party", "before", "page_size"}
    watched = spec["components"]["schemas"]["WatchedStatement"]
    assert "about_party" in watched["required"] and "operator" in watched["properties"]["about_party"]["description"]
