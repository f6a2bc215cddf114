"""The public briefings page: any period at the latest published checkpoint, computed from the log's
entries by the same code an auditor runs; its form, its downloads; nothing private on it."""

from __future__ import annotations

import json
import re

import pytest

from corridor.service import clock
from corridor.service.ledger.integrator import integrate_now

from ..api_driver import drive
from ..conftest import SCENARIO
from ..plans import plan_body

pytestmark = pytest.mark.django_db
PERIOD = {"from": "2023-09-11", "to": "2023-09-19"}


@pytest.fixture
def published(parties, tiles):
    from corridor.service.web.briefings import reset_for_tests

    reset_for_tests()
    drive(SCENARIO, parties)
    integrate_now()
    return parties


def figures_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([^"]+)" value="([^"]*)"', html))


def test_the_page_is_public_and_shows_the_period_at_the_published_checkpoint(published, public, tiles):
    response = public.get("/briefings/", PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    size = int((tiles / "checkpoint").read_text().split("\n")[1])
    assert f'data-checkpoint-size="{size}"' in html
    figures = figures_of(html)
    assert figures["totals/requested"] == "2" and figures["totals/delivered.kg"] == "54300"
    assert figures["waiting/recv/seconds"] == str(6 * 86400 + 9 * 3600 + 30 * 60)
    assert "http://testserver/log/entry/" in html and "http://testserver/log/proof/" in html
    assert "Receiving authority (Khankendi)" in html


def test_the_form_in_its_default_state_shows_the_last_thirty_days_of_the_log(published, public):
    html = public.get("/briefings/").content.decode()
    assert 'name="from" type="date" required value="2023-08-20"' in html
    assert 'name="to" type="date" required value="2023-09-18"' in html
    assert figures_of(html)["totals/requested"] == "2"


def test_a_period_that_is_no_period_is_refused_with_its_code(published, public):
    response = public.get("/briefings/", {"from": "2023-09-19", "to": "2023-09-11"})
    assert response.status_code == 400 and "[briefing.period]" in response.content.decode()
    assert public.get("/briefings/briefing.pdf", {"from": "soon", "to": "2023-09-11"}).status_code == 400


def test_the_downloads_are_the_same_briefing(published, public):
    page = figures_of(public.get("/briefings/", PERIOD).content.decode())
    machine = json.loads(public.get("/briefings/briefing.json", PERIOD).content)
    assert {k: json.dumps(v["value"], ensure_ascii=False) for k, v in machine["figures"].items()} == \
        {k: v.replace("&quot;", '"') for k, v in page.items()}
    standalone = public.get("/briefings/briefing.html", {**PERIOD, "lang": "ar"})
    assert standalone["Content-Disposition"] == 'attachment; filename="briefing-2023-09-11-2023-09-19-ar.html"'
    assert b'<html lang="ar" dir="rtl">' in standalone.content
    pdf = public.get("/briefings/briefing.pdf", PERIOD)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["X-Corridor-Checkpoint"].split()[0] == str(machine["checkpoint"]["size"])
    assert public.get("/briefings/briefing.exe", PERIOD).status_code == 404


def test_the_page_shows_nothing_private(published, public):
    """A plan still open: its slot's window and its plate stay off the page (the log holds commitments)."""
    org, border, customs, recv, escort = (published[p] for p in ("org-a", "border", "customs", "recv", "escort"))
    with clock.frozen_at(1695085200):  # 19 September, 01:00
        body = plan_body("p-open")
        body["legs"][0]["vehicles"][0]["plate"] = "ZZ 999 SECRET"
        body["crew"] = {"leg-a": [{"name": "Driver Secret", "document": "X-1"}]}
        assert org.post("/plans", body)[0] == 201
        version = org.get("/plans/p-open")[1]["version"]
        for party in (border, customs, recv, escort):
            assert party.post("/plans/p-open/consent", {"version": version})[0] == 201
        slot = {"slot": "s1", "start": "2023-09-19T22:00:00Z", "end": "2023-09-19T23:00:00Z"}
        assert org.post("/plans/p-open/propose-slot", slot)[0] == 201
    integrate_now()
    html = public.get("/briefings/", PERIOD).content.decode()
    assert "p-open" in html  # the request itself is public
    for private in ("ZZ 999 SECRET", "Driver Secret", "X-1", "2023-09-19T22:00", "22:00:00"):
        assert private not in html
    machine = public.get("/briefings/briefing.json", PERIOD).content.decode()
    assert "ZZ 999 SECRET" not in machine and "2023-09-19T22:00" not in machine


def test_before_the_first_checkpoint_the_page_says_so(parties, public, tiles):
    from corridor.service.web.briefings import reset_for_tests

    reset_for_tests()
    response = public.get("/briefings/", PERIOD)
    assert response.status_code == 200 and "no published checkpoint" in response.content.decode()
    assert public.get("/briefings/briefing.json", PERIOD).status_code == 404


def test_the_page_names_the_briefings_in_the_menu(published, public):
    assert 'href="/briefings/"' in public.get("/").content.decode()


@pytest.mark.parametrize(("query", "code"), [
    ({"from": "2023-01-01", "to": "9999-12-31"}, "briefing.period"),
    ({"from": "9999-12-31", "to": "9999-12-31"}, "briefing.period"),
    ({"from": "20230101", "to": "2023-01-05"}, "briefing.period"),
    ({"from": "2023-W01-1", "to": "2023-01-05"}, "briefing.period"),
    ({"from": "2023-01-01", "to": "2024-01-02"}, "briefing.period-too-long"),
])
def test_far_future_odd_and_long_periods_are_refused(published, public, query, code):
    for path in ("/briefings/", "/briefings/briefing.json", "/briefings/briefing.html"):
        response = public.get(path, query)
        assert response.status_code == 400 and f"[{code}]" in response.content.decode(), path
    assert public.get("/briefings/", {"from": "2023-01-01", "to": "2024-01-01"}).status_code == 200  # 366 days


def test_renderings_are_cached_and_pdfs_rate_limited(published, public, monkeypatch):
    from corridor.service.web import briefings

    calls = []
    real = briefings.compute
    monkeypatch.setattr(briefings, "compute", lambda *a: calls.append(a) or real(*a))
    first = public.get("/briefings/briefing.html", PERIOD).content
    assert public.get("/briefings/briefing.html", PERIOD).content == first and len(calls) == 1
    public.get("/briefings/", PERIOD)
    public.get("/briefings/", PERIOD)
    assert len(calls) == 2  # the page's body is cached on its own
    monkeypatch.setattr(briefings, "PDF_PER_MINUTE", 1)
    assert public.get("/briefings/briefing.pdf", PERIOD).status_code == 200
    assert public.get("/briefings/briefing.pdf", PERIOD).status_code == 200  # from the cache
    busy = public.get("/briefings/briefing.pdf", {**PERIOD, "lang": "fr"})
    assert busy.status_code == 429 and "[briefing.busy]" in busy.content.decode() and busy["Retry-After"] == "60"
    monkeypatch.setattr(briefings, "CACHED", 1)
    public.get("/briefings/briefing.json", PERIOD)
    assert len(briefings._rendered) == 1


def test_arabic_is_right_to_left_russian_months_are_genitive_and_unknown_languages_refused(published, public):
    arabic = public.get("/briefings/", {**PERIOD, "lang": "ar"}).content.decode()
    assert re.search(r'<article class="briefing" id="briefing" dir="rtl"', arabic)
    english = public.get("/briefings/", PERIOD).content.decode()
    assert '<article class="briefing" id="briefing" data-' in english
    russian = public.get("/briefings/", {**PERIOD, "lang": "ru"}).content.decode()
    assert "11 сентября 2023" in russian and "Сентябрь" not in russian
    unknown = public.get("/briefings/", {**PERIOD, "lang": "xx"})
    assert unknown.status_code == 400 and "[briefing.lang]" in unknown.content.decode()
    assert public.get("/briefings/briefing.html", {**PERIOD, "lang": "xx"}).status_code == 400


def test_a_long_stretch_of_history_is_folded_outside_the_request(published, public, monkeypatch):
    """A process's first briefing on a large log does not fold it in the request: the fold is started
    apart (once, however often it is asked) and the asker is told to come back."""
    from corridor.service.web import briefings

    started = []
    monkeypatch.setattr(briefings, "FOLD_IN_REQUEST", 3)
    monkeypatch.setattr(briefings, "_prepare_in_background", started.append)
    page = public.get("/briefings/", PERIOD)
    download = public.get("/briefings/briefing.json", PERIOD)
    for response in (page, download):
        assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "[briefing.preparing]" in download.content.decode()  # a file's answer keeps the code
    assert "The briefing is being prepared from the log: ask again in a minute." in page.content.decode()
    assert len(started) == 2 and briefings._Kept.history.size == 0  # nothing folded by the requests
    monkeypatch.setattr(briefings, "FOLD_IN_REQUEST", 20_000)  # as if the background fold had caught up
    assert public.get("/briefings/", PERIOD).status_code == 200


def test_the_background_fold_is_started_once_while_it_runs(monkeypatch):
    from corridor.service.web import briefings

    made = []

    class Running:
        def __init__(self, **kwargs):
            made.append(kwargs)

        def start(self):
            pass

        def is_alive(self):
            return True

    monkeypatch.setattr(briefings.threading, "Thread", Running)
    monkeypatch.setattr(briefings._Kept, "preparing", None)
    briefings._prepare_in_background(1_000_000)
    briefings._prepare_in_background(1_000_001)
    assert len(made) == 1 and made[0]["target"] == briefings._fold_until and made[0]["daemon"]
