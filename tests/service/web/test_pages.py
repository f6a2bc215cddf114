"""The pages, server-rendered: public transparency page, log page, sign-in, party home, plan page and
its actions (each a signed statement through record())."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from corridor.service import clock
from corridor.service.ledger.integrator import integrate_now
from corridor.service.ledger.models import StatementIndex
from corridor.service.parties.operations import do_create_user

from ..api_driver import drive
from ..conftest import SCENARIO
from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000
AFTER = 1695081600


def signed_in(party: str, role: str = "officer") -> Client:
    do_create_user(f"{party}-web", party, role, password="a-long-test-password")
    client = Client()
    assert client.login(username=f"{party}-web", password="a-long-test-password")
    return client


def rendered_version(page: str) -> str:
    """The plan version a page's action forms carry (the hidden "version" field)."""
    return re.search(r'name="version" value="([0-9a-f]{64})"', page).group(1)


def test_public_page_shows_the_waiting_on_board_from_the_log(parties, tiles):
    drive(SCENARIO, parties)
    integrate_now()  # the worker's step: the page's figures are those of the published checkpoint
    with clock.frozen_at(AFTER):
        page = Client().get("/").content.decode()
    board = page[page.index('id="waiting"'):page.index('id="stages"')]
    assert board.index("Receiving authority") < board.index("Host state border service")
    assert "6d 6h 55m" in board or "6d" in board
    for asset in ("/static/vendor/chart.umd.min.js", "/static/vendor/leaflet/leaflet.js", "incidents-data"):
        assert asset in page
    assert "https://" not in page.replace("https://www", "")  # nothing loaded from elsewhere


def test_pages_speak_the_chosen_language_and_arabic_is_right_to_left(parties):
    client = Client()
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="ar" dir="rtl"' in page
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert 'lang="ru" dir="ltr"' in client.get("/").content.decode()


def test_sign_in_and_the_party_home_shows_what_awaits_it(parties):
    with clock.frozen_at(T):
        parties["org-a"].post("/plans", plan_body())
    border = signed_in("border")
    with clock.frozen_at(T + 3600):
        home = border.get("/home").content.decode()
    awaiting = home[home.index('id="awaiting"'):home.index('id="awaits"')]
    assert "p1" in awaiting and "1h" in awaiting
    org = signed_in("org-a")
    with clock.frozen_at(T + 3600):
        awaits = org.get("/home").content.decode()
    assert "Receiving authority" in awaits[awaits.index('id="awaits"'):]
    assert Client().get("/home").status_code == 302  # sign in first


def test_the_plan_page_offers_only_my_partys_actions_and_records_them(parties):
    with clock.frozen_at(T):
        parties["org-a"].post("/plans", plan_body())
    border = signed_in("border")
    page = border.get("/plans/p1").content.decode()
    assert "/plans/p1/act/plan.consent" in page and "/plans/p1/act/slot.propose" not in page
    version = rendered_version(page)
    with clock.frozen_at(T + 60):
        response = border.post("/plans/p1/act/plan.consent", {"as": "border", "version": version}, follow=True)
    assert StatementIndex.objects.filter(type="plan.consent", party="border").exists()
    assert "stance-consented" in response.content.decode()
    with clock.frozen_at(T + 120):
        again = border.post("/plans/p1/act/plan.consent", {"as": "border", "version": version},
                            follow=True).content.decode()
    assert "Your party already consents to this version of the plan." in again


def test_acting_for_a_party_one_does_not_belong_to_answers_404(parties):
    with clock.frozen_at(T):
        parties["org-a"].post("/plans", plan_body())
    border = signed_in("border")
    assert border.post("/plans/p1/act/plan.cancel", {"as": "org-a"}).status_code == 404
    viewer = signed_in("customs", "viewer")
    assert viewer.post("/plans/p1/act/plan.consent", {"as": "customs"}).status_code == 404
    assert Client().get("/plans/nope").status_code == 404
    assert Client().get("/plans/p1%00").status_code == 404  # no id holds a NUL (was a 500 on PostgreSQL)


def test_the_log_page_looks_up_a_statement(parties, tiles):
    from corridor.service.ledger.integrator import integrate_now

    integrate_now()
    page = Client().get("/transparency/log", {"index": "3"}).content.decode()
    assert "16 entries" in page and "/log/proof/3" in page


def test_the_timeline_marks_only_what_a_published_checkpoint_covers(parties, tiles):
    from corridor.service.ledger.integrator import integrate_now

    with clock.frozen_at(T):
        parties["org-a"].post("/plans", plan_body())
    page = Client().get("/plans/p1").content.decode()
    assert "not yet in a published checkpoint" in page and "/log/proof/" not in page
    integrate_now()
    page = Client().get("/plans/p1").content.decode()
    assert "in the log" in page and "/log/proof/16" in page



def test_a_nul_in_a_path_is_no_page(parties):
    """No id, token or file name holds a NUL: 404, never a query with one (a 500 on PostgreSQL, whose text
    cannot hold one: the plan page, and for a signed-in party the permit pages and the deadline and signing
    forms' addresses)."""
    with clock.frozen_at(T):
        parties["org-a"].post("/plans", plan_body())
    border = signed_in("border")
    border.raise_request_exception = False
    for url in ("/plans/p1%00", "/plans/p1/permits/x%00", "/plans/p1/permits/x%00.svg", "/calendar/x%00.ics"):
        assert border.get(url).status_code == 404, url
    for url in ("/plans/p1%00/deadline", "/sign/x%00", "/plans/p1%00/act/plan.consent"):
        assert border.post(url, {"as": "border"}).status_code == 404, url
