"""Times on the pages: on the crossing's clock with its offset, UTC on hover, isolated for right-to-left
pages; waits in words of the reader's language."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from corridor.service import clock
from corridor.service.web import zones

T = 1694433600  # 2023-09-11T12:00:00Z


def render(text: str, **context) -> str:
    return Template("{% load corridor %}" + text).render(Context(context))


def test_a_time_is_shown_on_the_crossings_clock_with_its_offset_and_utc_on_hover(parties):
    html = render('{% time_local t "Asia/Baku" %}', t=T)
    assert html == ('<time datetime="2023-09-11T12:00:00Z" title="2023-09-11 12:00 UTC"><bdi>Sept. 11, 2023</bdi>, '
                    '<bdi dir="ltr">16:00 UTC+4</bdi></time>')
    assert render('{{ t|local_time:"Asia/Baku" }}', t=T) == "\u2068Sept. 11, 2023, \u206616:00 UTC+4\u2069\u2069"
    assert render("{% time_local t %}", t=None) == "" and render("{% time_local t %}", t="soon") == "soon"


def test_epochs_statement_times_and_datetimes_read_alike(parties):
    assert render("{{ t|local_time }}", t=T) == render("{{ t|local_time }}", t="2023-09-11T12:00:00Z")
    assert render("{{ t|local_time }}", t=str(T)) == render("{{ t|local_time }}", t=T)
    assert render("{{ t|local_time }}", t=None) == "" and render("{{ t|local_time }}", t="soon") == "soon"


def test_without_a_zone_the_operations_shared_zone_is_used_and_an_unknown_zone_reads_as_utc(parties):
    assert zones.operation_zone() == "Asia/Baku"  # both two-roads checkpoints keep Baku time
    assert "16:00 UTC+4" in render("{{ t|local_time }}", t=T)
    assert "12:00 UTC\u2069" in render('{{ t|local_time:"Mars/Olympus" }}', t=T)


def test_a_half_hour_zone_and_summer_time_show_their_offset(db):
    assert "17:30 UTC+5:30" in render('{{ t|local_time:"Asia/Kolkata" }}', t=T)
    assert "14:00 UTC+2" in render('{{ t|local_time:"Europe/Paris" }}', t=T)  # CEST in September
    assert "13:00 UTC+1" in render('{{ t|local_time:"Europe/Paris" }}', t=T + 100 * 86400)  # CET in December


def test_zones_of_routes_checkpoints_and_plans(parties):
    assert zones.route_zone("road-a") == "Asia/Baku" == zones.checkpoint_zone("aghdam-gate")
    assert zones.route_zone("no-such-road") == "Asia/Baku"  # the operation's
    assert zones.plan_zone("no-such-plan") == "Asia/Baku"


@pytest.mark.parametrize(("language", "words"), [("en", "3 days, 2 hours"), ("ru", "3 дня, 2 часа"),
                                                 ("fr", "3 jours, 2 heures"), ("ar", "3 أيام")])
def test_a_wait_is_said_in_words_of_the_readers_language(db, language, words):
    with translation.override(language), clock.frozen_at(T + 3 * 86400 + 2 * 3600 + 300):
        html = render("{{ t|ago }}", t=T)
    assert words in html.replace("\xa0", " ") and html.startswith("\u2068")


def test_a_moment_ahead_is_said_as_the_time_left(db):
    with translation.override("fr"), clock.frozen_at(T - 2 * 3600 - 300):
        assert render("{{ t|until }}", t=T).replace("\xa0", " ") == "\u20682 heures, 5 minutes\u2069"
    with clock.frozen_at(T + 60):
        assert "0" in render("{{ t|until }}", t=T) and render("{{ t|until }}", t="") == ""


@pytest.mark.parametrize(("language", "text"), [("en", "6d 6h 55m"), ("ru", "6 д 6 ч 55 мин"),
                                                ("fr", "6 j 6 h 55 min"), ("ar", "6 ي 6 س 55 د")])
def test_durations_are_compact_in_the_readers_units(language, text):
    with translation.override(language):
        assert render("{{ s|duration }}", s=6 * 86400 + 6 * 3600 + 55 * 60) == text


def test_an_arabic_page_isolates_the_time_from_the_right_to_left_text(parties):
    with translation.override("ar"):
        html = render("{% time_local t %}", t=T)
        text = render("{{ t|local_time }}", t=T)
    assert '<bdi dir="ltr">16:00 UTC+4</bdi>' in html and "سبتمبر" in html
    assert "\u206616:00 UTC+4\u2069" in text  # left to right inside the Arabic sentence


@pytest.mark.parametrize(("language", "comma"), [("en", ", "), ("ru", ", "), ("fr", ", "), ("ar", "، ")])
def test_lists_and_a_time_before_its_clock_are_joined_with_the_languages_comma(parties, language, comma):
    with translation.override(language):
        capacities = render('{{ c|labels_of:"capacity" }}', c=["border", "customs"])
        inline = render('{{ t|local_time:"Asia/Baku" }}', t=T)
        cell = render('{% time_local t "Asia/Baku" %}', t=T)
    assert capacities.count(comma) == 1 and f"{comma}\u2066" in inline and f"</bdi>{comma}<bdi" in cell
    if language == "ar":
        assert ", " not in capacities + inline + cell  # no Latin comma on an Arabic page


# A party may sign any calendar time, up to the last second of year 9999 (or from year 1): on the crossing's
# clock such a time is beyond what Python's datetime holds, and one claim dated there took /incidents down
EDGES = ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"]


@pytest.mark.parametrize("edge", EDGES)
def test_a_time_at_the_calendars_edge_is_shown_in_utc_rather_than_failing(parties, edge):
    shown = render('{{ t|local_time:"Asia/Baku" }}', t=edge)
    assert edge[:4] in shown and "UTC" in shown
    assert edge[:4] in render('{% time_local t "Asia/Baku" %}', t=edge)


@pytest.mark.parametrize("edge", EDGES)
def test_a_claim_and_a_plan_dated_at_the_calendars_edge_leave_their_pages_readable(parties, edge):
    from django.test import Client

    from corridor.service.parties.operations import do_create_user

    from ..plans import plan_body

    claim = {"incident": "inc-edge", "category": "interference", "place": {"name": "the road"},
             "occurred_from": edge, "text": "a claim dated at the calendar's edge"}
    with clock.frozen_at(T):
        assert parties["org-a"].post("/incidents", claim)[0] == 201
        assert parties["org-a"].post("/plans", plan_body("p-edge", expires_at="9999-12-31T23:59:59Z"))[0] == 201
        do_create_user("border-web", "border", "officer", password="a-long-test-password")
        border = Client()
        assert border.login(username="border-web", password="a-long-test-password")
        for path in ("/incidents", "/plans/p-edge", "/plans", "/", "/api/v1/incidents/inc-edge"):
            assert Client().get(path).status_code == 200, path
        for path in ("/plans/p-edge", "/plans/p-edge/go", "/plans", "/"):
            assert border.get(path).status_code == 200, path
    assert "a claim dated at the calendar" in Client().get("/incidents").content.decode()
