"""What a member signed offline is listed where the party's admins watch everything signed in its name (the page
and the API), though the log holds it inside the operator's offline.relay: the member's passkey, when it was signed
and received, and why a late one took no effect; the officer's party alone sees it, and a page with relays costs
the same queries whatever their number."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.ledger.rebuild import rebuild
from corridor.service.ledger.signatures import signed_in_name_of
from corridor.service.parties.operations import do_create_user, do_issue_token

from ..conftest import PartyClient
from . import stages
from .test_offline_submit import ARRIVAL, ARRIVED, BACK_ONLINE, INSPECTION, Officer
from .test_signatures import cells, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(parties):
    """p1 scheduled (test_offline_submit's): its leg crosses Lachin, where border and customs officers check."""
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


def relays(party: str) -> list[StatementIndex]:
    return list(StatementIndex.objects.filter(type="offline.relay", offline_party=party).order_by("idx"))


def test_the_index_names_the_officers_party_and_member_on_the_relay_and_rebuild_agrees(border, customs):
    arrived = border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))[1]
    inspected = customs.send(customs.sign("leg.inspect", INSPECTION, ARRIVED + 900), BACK_ONLINE + 5)[1]
    columns = ("idx", "party", "signed_by", "member", "offline_party", "offline_member")
    written = list(StatementIndex.objects.filter(type="offline.relay").order_by("idx").values_list(*columns))
    assert written == [(arrived["index"], "operator", "registrar", None, "border", "border/m1"),
                       (inspected["index"], "operator", "registrar", None, "customs", "customs/m1")]
    assert not StatementIndex.objects.exclude(type="offline.relay").filter(offline_party__isnull=False).exists()
    rebuild()
    assert list(StatementIndex.objects.filter(type="offline.relay").order_by("idx").values_list(*columns)) == written


def test_the_party_lists_what_its_members_signed_offline_with_the_outcome(scheduled, border, customs):
    arrived = border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))[1]
    stages.post(scheduled, "org-a", "/plans/p1/cancel", {"text": "road closed"}, BACK_ONLINE + 10)
    late = customs.send(customs.sign("leg.inspect", INSPECTION, ARRIVED + 900), BACK_ONLINE + 20)[1]
    rows, _ = signed_in_name_of("border", size=5)
    [row] = [r for r in rows if r["index"] == arrived["index"]]
    assert (row["type"], row["party"], row["signed_by"], row["about_party"]) == (
        "offline.relay", "operator", "registrar", False)  # the log's entry as it is, the operator's
    assert row["offline"] == {"offline": arrived["offline"], "type": "leg.arrive", "party": "border", "plan": "p1",
                              "applied": True, "signed": "2023-09-11T12:05:00Z", "received": "2023-09-11T15:05:00Z",
                              "signed_by": "passkey", "member": "border/m1"}
    [not_applied] = [r["offline"] for r in signed_in_name_of("customs", size=50)[0] if r.get("offline")]
    assert (not_applied["applied"], not_applied["code"], not_applied["member"]) == (
        False, "late.plan_closed", "customs/m1")
    assert late["index"] not in {r["index"] for r in rows}  # customs' is not border's


def test_the_admins_page_shows_it_as_the_members_and_says_when_and_why(scheduled, border, customs):
    arrived = border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))[1]
    stages.post(scheduled, "org-a", "/plans/p1/cancel", {"text": "road closed"}, BACK_ONLINE + 10)
    late = customs.send(customs.sign("leg.inspect", INSPECTION, ARRIVED + 900), BACK_ONLINE + 20)[1]
    with clock.frozen_at(BACK_ONLINE + 60):
        page = signed_in("border-admin", "border", "admin").get("/parties/border/signatures").content.decode()
        other = signed_in("customs-admin", "customs", "admin").get("/parties/customs/signatures").content.decode()
    row = re.search(rf'index={arrived["index"]}".*?</tr>', cells(page, "<tbody>", "</tbody>"), re.S).group(0)
    assert "arrival — <strong>signed offline, relayed by the operator</strong>" in row
    assert "signed offline at" in row and "received at" in row and "not applied" not in row
    assert "passkey of border/m1</td><td>border/m1</td>" in row and "registrar" not in row
    assert f'href="/log/proof/{arrived["index"]}"' in row
    assert f'index={late["index"]}"' not in page and f'index={arrived["index"]}"' not in other
    mine = re.search(rf'index={late["index"]}".*?</tr>', cells(other, "<tbody>", "</tbody>"), re.S).group(0)
    assert "inspection — <strong>" in mine and "passkey of customs/m1" in mine
    assert "not applied: Recorded on the log, but with no effect: the plan was closed" in mine.replace("\n", " ")
    assert "the arrivals and inspections your members signed offline" in page


@pytest.mark.parametrize("language, words", [
    ("ru", ("подписано без сети, передано оператором", "ключ доступа border/m1")),
    ("fr", ("signé hors ligne, relayé par l’opérateur", "border/m1")),
    ("ar", ("وُقِّع دون اتصال، ونقله المشغّل", "border/m1")),
])
def test_the_page_reads_in_the_readers_language(border, language, words):
    border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))
    admin = signed_in("border-admin", "border", "admin")
    admin.post("/i18n/setlang/", {"language": language, "next": "/"})
    page = admin.get("/parties/border/signatures").content.decode()
    assert all(word in page for word in words), page
    assert "signed offline, relayed by the operator" not in page and "signed offline at" not in page


def test_a_page_costs_the_same_queries_with_one_relay_or_many(scheduled, border, customs):
    admin = signed_in("border-admin", "border", "admin")

    def queries() -> int:
        admin.get("/parties/border/signatures")  # warm-up: what the process keeps is computed once
        with CaptureQueriesContext(connection) as captured:
            assert admin.get("/parties/border/signatures").status_code == 200
        return len(captured)

    border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))
    one = queries()
    for n in range(3):
        other = border.sign("leg.arrive", ARRIVAL, ARRIVED + n + 1)
        border.send(other, BACK_ONLINE + 10 * (n + 1))
    assert len(relays("border")) == 4 and queries() == one


def test_the_api_lists_it_with_the_member_who_signed_it(border):
    arrived = border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))[1]
    admin, _ = do_create_user("border-api-admin", "border", "admin")
    status, page = PartyClient("border", do_issue_token(admin)).get("/parties/border/signatures", page_size=50)
    assert status == 200
    [row] = [r for r in page["results"] if r["index"] == arrived["index"]]
    assert (row["type"], row["about_party"], row["offline"]["party"], row["offline"]["member"],
            row["offline"]["signed_by"]) == ("offline.relay", False, "border", "border/m1", "passkey")


def test_the_public_page_counts_it_for_the_members_party_as_counting_afresh_would(border, customs):
    from corridor.service.ledger.signatures import signing_counts
    from corridor.service.web import precompute
    from corridor.service.web.models import PublicSummary

    PublicSummary.objects.all().delete()
    before = precompute.refresh(force=True)["signing_counts"]
    border.send(border.sign("leg.arrive", ARRIVAL, ARRIVED))
    customs.send(customs.sign("leg.inspect", INSPECTION, ARRIVED + 900), BACK_ONLINE + 5)
    grown = precompute.refresh(force=True)["signing_counts"]
    assert grown == signing_counts()
    assert grown["border"]["passkey"] == before["border"].get("passkey", 0) + 1
    assert grown["customs"]["passkey"] == before["customs"].get("passkey", 0) + 1
    assert grown["operator"]["registrar"] == before["operator"]["registrar"] + 2  # the relays: the operator's too
    row = PublicSummary.objects.get(pk=1)
    row.data = {k: v for k, v in row.data.items() if k != "counts_offline"}  # kept by a version before this
    row.data["signing_counts"] = before
    row.save()
    assert precompute.refresh(force=True)["signing_counts"] == grown  # counted afresh once
