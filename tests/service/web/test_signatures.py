"""How each statement was signed, on the pages: the plan's timeline, the log page, the public page (per
party, the share its own people signed, and where the server can sign in its name), and the page where a
party's admins watch everything signed in the party's name."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from corridor.service import clock
from corridor.service.ledger.integrator import integrate_now
from corridor.service.ledger.models import StatementIndex
from corridor.service.parties.operations import do_create_user
from corridor.service.web import precompute
from corridor.service.web.models import PublicSummary

from ..plans import plan_body
from ..signing import custody_regained, own_key, self_signed

pytestmark = pytest.mark.django_db
T = 1694420000
PASSWORD = "a-long-test-password"


def signed_in(username: str, party: str, role: str) -> Client:
    do_create_user(username, party, role, password=PASSWORD)
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def signed(parties):
    """p1 submitted by the server for org-a, then a note org-a signed with a key it keeps itself."""
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body())[0] == 201
    key = own_key("org-a", T + 10)
    assert self_signed(parties["org-a"], key, "plan.note", {"sha256": "a" * 64}, T + 20, plan="p1")[0] == 201
    return parties


def cells(page: str, start: str, end: str) -> str:
    return re.sub(r"\s+", " ", page[page.index(start):page.index(end, page.index(start))])


def test_the_plan_timeline_shows_how_each_statement_was_signed(signed):
    timeline = cells(Client().get("/plans/p1").content.decode(), 'id="timeline"', "</table>")
    assert "Signed with" in timeline
    assert timeline.index("server (custodial)") < timeline.index("party&#x27;s own key")


def test_the_kind_reads_in_the_readers_language(signed):
    client = Client()
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    timeline = cells(client.get("/plans/p1").content.decode(), 'id="timeline"', "</table>")
    assert "serveur (garde)" in timeline and "clé de la partie" in timeline


def test_the_log_page_lists_published_statements_and_how_they_were_signed(signed, tiles):
    integrate_now()
    page = Client().get("/transparency/log").content.decode()
    listing = cells(page, 'id="statements"', "</table>")
    assert listing.count("<tr>") == 1 + StatementIndex.objects.count()  # a header, then every statement (< 50)
    assert "registrar" in listing and "server (custodial)" in listing and "party&#x27;s own key" in listing
    note = StatementIndex.objects.get(type="plan.note")
    looked_up = Client().get("/transparency/log", {"index": str(note.idx)}).content.decode()
    assert f"Entry {note.idx}: document by Humanitarian organisation A (carrier) at" in looked_up  # words, names
    assert "signed with: party&#x27;s own key" in looked_up and "plan.note" not in looked_up


def test_the_log_page_pages_by_entry_number(signed, tiles, monkeypatch):
    monkeypatch.setattr("corridor.service.web.signatures.PAGE", 5)
    integrate_now()
    first = Client().get("/transparency/log").content.decode()
    older = re.search(r'href="\?before=(\d+)#statements" rel="next"', first).group(1)
    top = StatementIndex.objects.order_by("-idx").first().idx
    assert int(older) == top - 4
    second = Client().get("/transparency/log", {"before": older}).content.decode()
    assert f'href="?index={int(older) - 1}"' in second and f'href="?index={older}"' not in second


def test_unpublished_statements_are_not_listed_yet(signed, tiles):
    page = Client().get("/transparency/log").content.decode()
    assert "No statement is in the published log yet." in page


def test_the_public_page_shows_each_partys_own_share_and_where_the_server_signs(signed):
    PublicSummary.objects.all().delete()
    page = Client().get("/").content.decode()
    table = cells(page, 'id="signing"', "</table>")
    org = re.search(r"<tr><th scope=\"row\">Humanitarian organisation A \(carrier\)</th>(.*?)</tr>", table).group(1)
    # org-a: plan.submit (server) and the note it signed itself: 2 statements, 50% by its own people
    assert re.findall(r"<td>(.*?)</td>", org) == ["2", "50%", "0", "1", "1", "<strong>yes</strong>"]
    assert "Corridor operator" not in table
    assert "Humanitarian organisation A (carrier)" in cells(page, "The server keeps a signing key for", "</p>")


def test_the_public_figures_grow_with_the_log_as_counting_afresh_would(signed):
    PublicSummary.objects.all().delete()
    first = precompute.refresh(force=True)
    with clock.frozen_at(T + 60):
        assert signed["org-a"].post("/plans/p1/note", {"sha256": "b" * 64})[0] == 201
    grown = precompute.refresh(force=True)
    PublicSummary.objects.all().delete()
    assert grown["signing_counts"] == precompute.refresh(force=True)["signing_counts"] != first["signing_counts"]
    assert grown["signing_counts"]["org-a"] == {"custodial": 2, "party": 1}


def test_a_party_that_keeps_its_key_is_not_said_to_be_signed_for(db, parties):
    from corridor.service.parties.operations import do_register_party

    with clock.frozen_at(1694390500):
        do_register_party("ngo-own", "Own-key NGO", "humanitarian", public=b"\x02" * 32)
    PublicSummary.objects.all().delete()
    page = Client().get("/").content.decode()
    row = re.search(r"<tr><th scope=\"row\">Own-key NGO</th>(.*?)</tr>", cells(page, 'id="signing"', "</table>"))
    assert re.findall(r"<td>(.*?)</td>", row.group(1)) == ["0", "—", "0", "0", "0", "no"]
    assert "Own-key NGO" not in cells(page, "keeps a signing key", "</p>")


def test_a_partys_admin_watches_what_is_signed_in_its_name(signed):
    admin = signed_in("org-a-admin", "org-a", "admin")
    home = admin.get("/home").content.decode()
    assert 'href="/parties/org-a/signatures"' in home
    page = admin.get("/parties/org-a/signatures").content.decode()
    rows = cells(page, "<tbody>", "</tbody>")
    assert rows.index(">document<") < rows.index(">request for passage<")  # newest first, in words
    note = StatementIndex.objects.get(type="plan.note").idx
    assert f'href="/transparency/log?index={note}"' in rows and f'href="/log/proof/{note}"' in rows
    assert 'href="/plans/p1"' in rows and "party&#x27;s own key" in rows and "server (custodial)" in rows


def test_only_the_partys_admins_see_that_page(signed):
    assert signed_in("org-a-officer", "org-a", "officer").get("/parties/org-a/signatures").status_code == 404
    assert signed_in("border-admin", "border", "admin").get("/parties/org-a/signatures").status_code == 404
    assert signed_in("recv-viewer", "recv", "viewer").get("/parties/nobody/signatures").status_code == 404
    anonymous = Client().get("/parties/org-a/signatures")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    officer_home = signed_in("org-a-officer-2", "org-a", "officer").get("/home").content.decode()
    assert "/signatures" not in officer_home


def test_the_watch_page_pages_newest_first(signed, monkeypatch):
    monkeypatch.setattr("corridor.service.web.signatures.PAGE", 2)
    admin = signed_in("org-a-admin", "org-a", "admin")
    first = admin.get("/parties/org-a/signatures").content.decode()
    older = re.search(r'signatures\?before=(\d+)" rel="next"', first).group(1)
    second = admin.get("/parties/org-a/signatures", {"before": older}).content.decode()
    # the note, the operator registering the key org-a keeps; the submission, org-a's first key; its registration
    assert ">document<" in first and ">request for passage<" not in first
    assert ">request for passage<" in second and 'href="/parties/org-a/signatures">' in second
    last = re.search(r'signatures\?before=(\d+)" rel="next"', second).group(1)
    third = admin.get("/parties/org-a/signatures", {"before": last}).content.decode()
    assert "party registered" in third and 'rel="next"' not in third
    assert admin.get("/parties/org-a/signatures", {"before": "9" * 40}).status_code == 200  # read as the newest


def test_the_operator_registering_a_custodial_key_for_a_party_is_on_its_admins_page_only(parties):
    """border ended custody; the operator registers a new custodial key for it, which lets the server sign in
    border's name again: border's admins see it, marked as the operator's, org-a's do not."""
    entries = custody_regained("border", T)
    page = signed_in("border-admin", "border", "admin").get("/parties/border/signatures").content.decode()
    rows = cells(page, "<tbody>", "</tbody>")
    registered = re.search(rf'index={entries["registered"]}".*?</tr>', rows).group(0)
    assert "key registered — <strong>by the operator, about your party's keys</strong>" in registered
    assert "registrar" in registered
    ended = re.search(rf'index={entries["ended"]}".*?</tr>', rows).group(0)
    assert "key revoked" in ended and "by the operator" not in ended and "server (custodial)" in ended
    assert "The operator's statements about your party and its keys are listed too" in page
    other = signed_in("org-a-admin", "org-a", "admin").get("/parties/org-a/signatures").content.decode()
    assert f'index={entries["registered"]}"' not in other and f'index={entries["ended"]}"' not in other


def test_a_passkey_signature_shows_its_member(signed, tiles):
    """(The statement index row as record() writes it for a passkey entry: tests/service/ledger/test_signed_by.py
    checks the columns themselves on real WebAuthn assertions.)"""
    from corridor.service.guard import domain_writes

    last = StatementIndex.objects.order_by("-idx").first()
    with domain_writes():
        StatementIndex.objects.filter(idx=last.idx).update(signed_by="passkey", member="org-a/m3")
    integrate_now()
    admin = signed_in("org-a-admin", "org-a", "admin")
    rows = cells(admin.get("/parties/org-a/signatures").content.decode(), "<tbody>", "</tbody>")
    assert "passkey of org-a/m3</td><td>org-a/m3" in rows
    assert "passkey of org-a/m3" in cells(Client().get("/transparency/log").content.decode(), 'id="statements"',
                                          "</table>")
    assert "passkey of org-a/m3" in Client().get("/plans/p1").content.decode()
    client = Client()
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert "ключ доступа org-a/m3" in client.get("/plans/p1").content.decode()
