"""The public page: "no data yet" states before anything is published, the charts' data as tables too, the
map's legend words and names (not ids) for its popups."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from corridor.service import clock
from corridor.service.demo import seed_history
from corridor.service.exports import published
from corridor.service.ledger.integrator import integrate_now
from corridor.service.web import precompute

from ..conftest import SCENARIO

pytestmark = pytest.mark.django_db
NOW = 1795000000


def page() -> str:
    return Client().get("/").content.decode()


def script_data(html: str, element_id: str):
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_before_any_checkpoint_the_page_says_there_is_no_data_yet(parties, tiles):
    html = page()
    assert "No data yet: the figures below appear once the log has a signed checkpoint" in html
    assert "No passage has been requested yet." in html and html.count("No data yet.") == 4
    assert 'id="chart-categories"' not in html  # no empty canvas


def test_with_the_example_published_the_charts_and_map_have_their_data_and_names(parties, tiles):
    seed_history(SCENARIO, now=NOW)
    integrate_now()
    published.refresh(force=True)
    precompute.refresh(force=True)
    with clock.frozen_at(NOW):
        html = page()
    assert "No data yet" not in html and 'id="chart-routes"' in html
    assert '<th scope="row">Lachin–Khankendi</th>' in html  # each chart's rows as a table too
    assert 'data-legend-disputed="Disputed incident claim"' in html and "region.json" in html
    incidents = {i["id"]: i for i in script_data(html, "incidents-data")}
    assert incidents["inc-mines"]["reporter_name"] == "Host state border service" and incidents["inc-mines"]["disputed"]
    [lachin] = [c for r in script_data(html, "routes-data") for c in r["checkpoints"] if c["id"] == "lachin-checkpoint"]
    assert lachin["inspected_by_names"] == ["Host state border service", "Host state customs service"]
    assert script_data(html, "category-labels")["mines_uxo"] == "mines and unexploded ordnance"


def test_the_labels_are_in_the_readers_language(parties, tiles):
    client = Client()
    client.cookies["django_language"] = "fr"
    html = client.get("/").content.decode()
    assert 'data-legend-title="Légende"' in html and "Pas encore de données." in html


def test_the_regional_basemap_is_served_from_the_origin_and_covers_the_example():
    from pathlib import Path

    from corridor.scenario.loader import load_scenario

    path = Path(__file__).parents[3] / "src/corridor/service/web/static/vendor/basemap/region.json"
    region = json.loads(path.read_text())
    west, south, east, north = region["bbox"]
    for route in load_scenario(SCENARIO).routes:
        for checkpoint in route.checkpoints:
            assert west < float(checkpoint.lon) < east and south < float(checkpoint.lat) < north
    names = {f["properties"]["name"] for f in region["features"] if f["properties"]["kind"] == "place"}
    assert {"Xankandi", "Laçın", "Ağdam"} <= names and len(names) > 100
    assert path.stat().st_size < 400_000


def test_goods_categories_and_figures_read_in_the_readers_language(parties, tiles):
    seed_history(SCENARIO, now=NOW)
    integrate_now()
    published.refresh(force=True)
    precompute.refresh(force=True)
    client = Client()
    with clock.frozen_at(NOW):
        english = client.get("/").content.decode()
        client.cookies["django_language"] = "fr"
        french = client.get("/").content.decode()
        client.cookies["django_language"] = "ar"
        arabic = client.get("/").content.decode()
    rows = dict(script_data(english, "totals-data")["tonnes_by_category"])
    assert "Water, sanitation and hygiene" in rows and "wash" not in rows  # words in the chart, not codes
    assert '<th scope="row">food</th>' not in french and '<th scope="row">Alimentation</th>' in french
    assert "Eau, assainissement et hygiène" in dict(script_data(french, "totals-data")["tonnes_by_category"])
    assert "صحة" in dict(script_data(arabic, "totals-data")["tonnes_by_category"])  # health


def test_the_incidents_list_names_each_claim_by_its_category_not_its_id(parties, tiles):
    seed_history(SCENARIO, now=NOW)
    integrate_now()
    with clock.frozen_at(NOW):
        html = Client().get("/incidents").content.decode()
    shown = re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", html.split("<main", 1)[-1], flags=re.S))
    assert "mines and unexploded ordnance" in shown and "inc-mines" not in shown and "inc-gnss" not in shown


def test_the_map_carries_the_latest_located_claims_only(parties, tiles, monkeypatch):
    """However many claims the log holds, the public page carries the latest MAP_CLAIMS located ones (read off
    the claims' index, disputed by their count) and says so; the incidents page pages through every one."""
    from corridor.service.web import summaries

    from ..api.test_incidents import CLAIM, T

    monkeypatch.setattr(summaries, "MAP_CLAIMS", 2)
    for n in range(4):
        with clock.frozen_at(T + n):
            located = {"name": f"Place {n}"} | ({"lat": "39.8", "lon": "46.7"} if n != 2 else {})
            assert parties["border"].post("/incidents", CLAIM | {"incident": f"claim-{n}", "place": located})[0] == 201
    with clock.frozen_at(T + 10):
        assert parties["recv"].post("/incidents/claim-1/dispute", {"text": "no"})[0] == 201
    precompute.refresh(force=True)
    html = page()
    assert [(i["id"], i["disputed"]) for i in script_data(html, "incidents-data")] == [("claim-3", False),
                                                                                     ("claim-1", True)]
    assert "The map shows the latest 2 claims that give their coordinates." in html
    monkeypatch.setattr(summaries, "MAP_CLAIMS", 3)
    precompute.refresh(force=True)
    html = page()
    assert len(script_data(html, "incidents-data")) == 3 and "The map shows the latest" not in html


def test_the_footer_says_witnessed_only_when_witnesses_cosign_the_log(db):
    """A log without witnesses is signed by its operator alone: every page's footer said "witnessed" anyway,
    beside the log page's "this log is not witnessed yet"."""
    from django.test import Client
    from django.utils import translation

    from corridor.service.config import CONFIG

    page = Client().get("/").content.decode()
    assert "a public, tamper-evident log." in page and "witnessed log" not in page
    saved = CONFIG.witnesses
    object.__setattr__(CONFIG, "witnesses", (("https://witness.example/add", "witness.example/w1+abcd+AAAA"),))
    try:
        assert "a public, witnessed log." in Client().get("/").content.decode()
    finally:
        object.__setattr__(CONFIG, "witnesses", saved)
    for lang in ("ru", "fr", "ar"):
        with translation.override(lang):
            footer = translation.gettext("Every step is signed by the party that took it and appended to a public, "
                                         "tamper-evident log.")
        assert not footer.startswith("Every step"), lang


def test_who_signs_lists_the_parties_by_the_names_it_shows(parties):
    import re

    from django.test import Client

    page = Client().get("/").content.decode()
    table = page[page.index('id="signing"'):]
    table = table[:table.index("</table>")]
    names = re.findall(r'<th scope="row">([^<]+)</th>', table)
    assert len(names) >= 5 and names == sorted(names, key=str.casefold)
