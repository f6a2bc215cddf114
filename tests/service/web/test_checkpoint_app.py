"""The offline checkpoint app's server side (web/checkpoint_app.py): data.json holds what the contract in
docs/permits.md says, only for the passages the user's parties take part in and only for users whose party
inspects at a checkpoint (others: the styled 403); its query count does not grow with the passages; the
manifest and the service worker are served with their types, and every answer keeps the strict CSP."""

from __future__ import annotations

import base64
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from corridor.ledger.crypto import public_bytes
from corridor.permits import cose, document
from corridor.permits.errors import CODES
from corridor.permits.trust import key_id
from corridor.permits.verify import parse_revocation_list
from corridor.service import clock
from corridor.service.permits.keys import permit_key
from corridor.service.permits.models import IssuedPermit
from corridor.service.permits.revocation import CLOCK_SLACK

from ..plans import plan_body
from . import stages
from .test_pages import signed_in
from .test_security_headers import directives

pytestmark = pytest.mark.django_db
APP, DATA, SW, MANIFEST = ("/checkpoint-app/", "/checkpoint-app/data.json", "/checkpoint-app/sw.js",
                           "/checkpoint-app/manifest.webmanifest")
NOON = 1694433600  # 2023-09-11T12:00:00Z, the slot's start (stages.slot_proposed)


def scheduled(parties, plan: str = "p1", at: int = stages.T) -> IssuedPermit:
    """A road-A passage cleared and scheduled for 12:00–13:00 on 11 Sep 2023: one permit issued."""
    stages.submitted(parties, plan, at=at)
    stages.consented(parties, plan, at=at + 1200)
    stages.slot_proposed(parties, plan, at=at + 1800)
    for party in stages.REQUIRED:
        stages.post(parties, party, f"/plans/{plan}/confirm-slot", {"slot": "s1"}, at + 2400)
    return IssuedPermit.objects.get(plan_id=plan)


def road_b(parties, plan: str = "b1") -> None:
    """org-b's passage on road B (through the Aghdam gate, where nobody inspects): border, recv, escort consent."""
    body = plan_body(plan, legs=[{
        "id": "leg-b", "route": "road-b",
        "lines": [{"id": "flour", "item": "Wheat flour", "category": "food", "quantity": 5, "unit": "t",
                   "weight_kg": 5000}],
        "vehicles": [{"id": "truck-9", "plate": "ZZ 999", "type": "truck"}]}])
    stages.post(parties, "org-b", "/plans", body, stages.T + 2500)
    current = stages.version(parties, plan)
    for party in ("border", "recv", "escort"):
        stages.post(parties, party, f"/plans/{plan}/consent", {"version": current}, stages.T + 2600)
    stages.post(parties, "org-b", f"/plans/{plan}/propose-slot",
                {"slot": "s1", "start": "2023-09-11T12:00:00Z", "end": "2023-09-11T13:00:00Z"}, stages.T + 2700)
    for party in ("border", "recv", "escort"):
        stages.post(parties, party, f"/plans/{plan}/confirm-slot", {"slot": "s1"}, stages.T + 2800)


def data(client: Client, at: int = stages.T + 3000) -> dict:
    with clock.frozen_at(at):
        response = client.get(DATA)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    return response.json()


def test_data_holds_the_keys_the_checkpoints_and_the_expected_legs_with_their_permits(parties, tiles):
    row = scheduled(parties)
    answer = data(signed_in("customs"))
    raw = public_bytes(permit_key())
    assert answer["trust"] == [{"kid": base64.b64encode(key_id(raw)).decode(), "public": base64.b64encode(raw).decode(),
                                "party": "operator"}]
    assert answer["user"] == "customs-web" and answer["rpId"] == "localhost" and answer["revoked"] == []
    assert answer["generated"] == "2023-09-11T09:03:20Z"
    assert answer["parties"] == [{"id": "customs", "name": "Host state customs service", "sign": True}]
    assert answer["passkeys"] == []
    assert answer["checkpoints"] == [{"id": "lachin-checkpoint", "name": "Lachin border and customs checkpoint",
                                      "tz": "Asia/Baku"}]
    permit = document.decode(cose.decode_sign1(bytes(row.signed)).payload)
    [leg] = answer["legs"]
    assert leg == {
        "plan": "p1", "leg": "leg-a", "route": "road-a", "route_name": "Lachin–Khankendi",
        "version": stages.version(parties), "checkpoints": ["lachin-checkpoint"], "start": NOON, "end": NOON + 3600,
        "tolerance": permit.tolerance, "status": "planned",
        # for the recording form: the lines by the plan's own ids, as carried now, and the seals on the leg
        "lines": [{"line": "flour", "item": "Wheat flour", "quantity": 20, "unit": "t", "vehicle": "truck-1"}],
        "seals": [],
        "vehicles": [{"vehicle": "truck-1", "plate": "AB 123", "type": "truck", "permit": "leg-a.truck-1.1",
                      "digest": row.digest, "lines": [{"line": "1", "item": "Wheat flour", "quantity": "20",
                                                       "unit": "t"}]}]}


def test_only_today_and_tomorrow_and_never_a_revoked_permit_in_the_legs(parties, tiles):
    row = scheduled(parties)
    client = signed_in("border")
    assert [leg["plan"] for leg in data(client, at=NOON - 86400)["legs"]] == ["p1"]  # the day before: tomorrow's
    assert data(client, at=NOON - 2 * 86400)["legs"] == []  # two days before
    assert data(client, at=NOON + 86400)["legs"] == []  # the day after
    stages.amend(parties, at=stages.T + 3000)  # the amendment revokes the permit
    answer = data(client, at=stages.T + 3600)
    assert answer["revoked"] == [row.digest] and answer["legs"] == []


def test_data_carries_the_revocation_list_of_the_permits_still_valid_as_revoked_txt(parties, tiles):
    """The revoked permits whose end (window + tolerance) has not passed, less the list's day of slack
    (permits/revocation.py): the same digests as /log/permits/revoked.txt at the same moment."""
    row = scheduled(parties)
    stages.amend(parties, at=stages.T + 3000)
    row.refresh_from_db()
    client, last = signed_in("border"), int(row.valid_until.timestamp()) + CLOCK_SLACK
    for moment, expected in ((stages.T + 3600, [row.digest]), (last, [row.digest]), (last + 1, [])):
        assert data(client, at=moment)["revoked"] == expected, moment
        with clock.frozen_at(moment):
            listed = parse_revocation_list(Client().get("/log/permits/revoked.txt").content.decode())
        assert listed == set(expected), moment


def test_another_partys_passage_never_reaches_the_device(parties, tiles):
    scheduled(parties)
    road_b(parties)
    assert IssuedPermit.objects.filter(plan_id="b1").exists()  # org-b's permit exists...
    for party in ("border", "customs"):
        text = json.dumps(data(signed_in(party)), ensure_ascii=False)
        assert "ZZ 999" not in text and '"b1"' not in text  # ...and reaches neither inspecting party's device
        assert "AB 123" in text


def test_without_an_inspecting_party_the_app_is_refused_with_the_styled_page(parties):
    for party, role in (("org-a", "officer"), ("mediator", "officer"), ("recv", "admin"), ("border", "public")):
        client = signed_in(party, role) if role != "public" else _public_member(party)
        page = client.get(APP)
        assert page.status_code == 403, party
        assert "The checkpoint app is for checkpoint officers" in page.content.decode()
        assert client.get(DATA).status_code == 403
    assert Client().get(APP).status_code == 302 and Client().get(DATA).status_code == 302  # to sign in


def _public_member(party: str) -> Client:
    from corridor.service.parties.operations import do_create_user

    do_create_user("public-web", party, "public", password="a-long-test-password")
    client = Client()
    assert client.login(username="public-web", password="a-long-test-password")
    return client


def test_a_viewer_of_an_inspecting_party_verifies_but_signs_nothing(parties, tiles):
    scheduled(parties)
    answer = data(signed_in("border", "viewer"))
    assert answer["parties"] == [{"id": "border", "name": "Host state border service", "sign": False}]
    assert answer["legs"][0]["vehicles"][0]["plate"] == "AB 123"


def test_the_query_count_does_not_grow_with_the_passages(parties, tiles):
    scheduled(parties)
    client = signed_in("border")
    data(client)
    with CaptureQueriesContext(connection) as one:
        data(client)
    for n in range(2, 5):
        scheduled(parties, f"p{n}", at=stages.T + 2400 * n)
    with CaptureQueriesContext(connection) as four:
        answer = data(client, at=stages.T + 12000)
    assert len(answer["legs"]) == 4
    assert len(four) == len(one) <= 12, [q["sql"][:120] for q in four]


def test_the_page_the_worker_and_the_manifest_are_served_with_their_types_under_the_policy(parties):
    client = signed_in("border")
    page = client.get(APP)
    html = page.content.decode()
    assert page.status_code == 200 and 'rel="manifest" href="/checkpoint-app/manifest.webmanifest"' in html
    assert '<script id="cp-strings" type="application/json">' in html
    assert 'type="module" src="/static/checkpoint-app/app.js"' in html
    assert "<script>" not in html and " style=" not in html  # no inline script, no style attribute
    worker = Client().get(SW)  # public: it holds no data
    assert worker.status_code == 200 and worker["Content-Type"] == "application/javascript; charset=utf-8"
    assert "Service-Worker-Allowed" not in worker
    body = worker.content.decode()
    assert 'const DATA_URL = "/checkpoint-app/data.json";' in body and '"/static/vendor/jsQR.js"' in body
    assert '"/checkpoint-app/"' in body and 'request.method !== "GET"' in body
    manifest = Client().get(MANIFEST)
    assert manifest["Content-Type"] == "application/manifest+json"
    described = manifest.json()
    assert described["start_url"] == described["scope"] == APP and described["display"] == "standalone"
    for icon in described["icons"]:
        image = Client().get(icon["src"])
        assert image.status_code == 200 and image["Content-Type"] == "image/png"
    for response in (page, worker, manifest, client.get(DATA), client.get("/static/checkpoint-app/app.js")):
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_worker_names_every_file_of_the_shell_and_they_are_served(parties):
    body = Client().get(SW).content.decode()
    shell = json.loads(body.split("const SHELL = ", 1)[1].split(";\n", 1)[0])
    client = signed_in("customs")
    for path in shell:
        response = client.get(path)
        assert response.status_code == 200, path
        if path.endswith(".js"):
            assert response["Content-Type"].startswith(("application/javascript", "text/javascript")), path


def test_the_screens_link_to_the_app(parties):
    client = signed_in("border")
    for path in ("/checkpoints", "/checkpoints/lachin-checkpoint"):
        assert 'href="/checkpoint-app/"' in client.get(path).content.decode(), path


@pytest.mark.parametrize(("language", "valid", "forged"), [
    ("ru", "ДЕЙСТВИТЕЛЕН", "Подделка"), ("fr", "VALIDE", "Falsifié"), ("ar", "صالح", "مزوّر")])
def test_the_answers_words_come_in_the_officers_language(parties, language, valid, forged):
    client = signed_in("border")
    client.cookies["django_language"] = language
    page = client.get(APP, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    block = page.split('<script id="cp-strings" type="application/json">', 1)[1].split("</script>", 1)[0]
    words = json.loads(block)
    assert words["valid"] == valid and words["permit.forged"].startswith(forged)
    assert set(words) >= set(CODES)  # a sentence for every answer `corridor permit verify` gives
