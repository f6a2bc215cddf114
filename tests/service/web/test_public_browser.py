"""The public page and the account's calendar address in a real browser: the map draws the regional basemap
(its towns labelled), the routes' checkpoints with their names, the claims and a legend, all from the
server's origin; an empty install says "no data yet"; the calendar form in its default state gives an
address that answers the feed."""

from __future__ import annotations

import pytest

from corridor.service import clock
from corridor.service.demo import seed_history
from corridor.service.exports import published
from corridor.service.ledger.integrator import integrate_now
from corridor.service.parties.operations import do_create_user
from corridor.service.web import precompute

from ..conftest import SCENARIO
from .browser import browser_page  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db(transaction=True)
NOW = 1795000000


def test_the_public_map_with_the_example(parties, tiles, browser_page):  # noqa: F811
    seed_history(SCENARIO, now=NOW)
    integrate_now()
    published.refresh(force=True)
    precompute.refresh(force=True)
    page = browser_page
    with clock.frozen_at(NOW):
        page.open("/")
    page.page.locator(".map-legend").wait_for()
    assert page.page.locator(".map-legend .legend-item").count() == 4  # no route line: one checkpoint each
    labels = page.page.locator(".checkpoint-label").all_inner_texts()
    assert sorted(labels) == ["Aghdam road gate", "Lachin border and customs checkpoint"]
    assert "Xankandi" in page.page.locator(".place-label").all_inner_texts()
    assert page.page.locator("#chart-routes").is_visible() and page.page.locator(".empty-state").count() == 0
    page.screenshot("public-map", "section:has(#map)")
    assert page.foreign_requests() == [] and page.errors == []


def test_an_empty_install_says_no_data_yet(parties, tiles, browser_page):  # noqa: F811
    page = browser_page
    page.open("/")
    assert page.page.locator(".empty-state").first.is_visible()
    assert page.page.locator(".empty-chart").count() == 4
    page.page.locator(".map-legend").wait_for()
    assert page.foreign_requests() == [] and page.errors == []


def test_a_route_with_several_checkpoints_is_drawn_as_a_line_between_them(parties, tiles, browser_page):  # noqa: F811
    from corridor.service.guard import guarded
    from corridor.service.parties.operations import do_define_route

    with clock.frozen_at(1694390400), guarded():
        do_define_route({"id": "road-c", "name": "Goris–Khankendi",
                         "policy": [{"party": "border", "capacity": "transit"}],
                         "checkpoints": [{"id": "goris", "name": "Goris gate", "lat": "39.5111", "lon": "46.3417"},
                                         {"id": "shushi", "name": "Shushi gate", "lat": "39.7601", "lon": "46.7499"}]})
    precompute.refresh(force=True)
    page = browser_page
    page.open("/")
    page.page.locator(".map-legend").wait_for()
    assert page.page.locator(".legend-route").count() == 1
    assert page.page.locator("#map path.leaflet-interactive[stroke='#1f5f8b'][stroke-width='4']").count() == 1
    assert sorted(page.page.locator(".checkpoint-label").all_inner_texts()) == [
        "Aghdam road gate", "Goris gate", "Lachin border and customs checkpoint", "Shushi gate"]


def test_the_calendar_address_form_in_its_default_state(parties, browser_page):  # noqa: F811
    do_create_user("border-officer", "border", "officer", password="a-long-test-password")
    page = browser_page
    page.sign_in("border-officer", "a-long-test-password")
    page.open("/account")
    page.page.get_by_role("button", name="Make a calendar address").click()
    page.page.wait_for_load_state("networkidle")
    address = page.page.locator("#calendar-url").input_value()
    assert "/calendar/" in address and address.endswith(".ics")
    answer = page.page.request.get(page.origin + "/calendar/" + address.rsplit("/", 1)[1])
    assert answer.status == 200 and answer.text().startswith("BEGIN:VCALENDAR")
    page.open("/account")
    page.page.get_by_role("button", name="Revoke the calendar address").click()
    page.page.wait_for_load_state("networkidle")
    assert page.page.request.get(page.origin + "/calendar/" + address.rsplit("/", 1)[1]).status == 404
    assert page.errors == []
