"""The figures of a period, from the two-roads log alone: exact values, each resting on the entries it was
computed from; waiting read off the engine's own clock; periods cut where they should."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.engine import waiting_seconds
from corridor.figures.briefing import Period, compute, parse_ranges, ranges

from .signed_logs import signed_log

MIXED = Path(__file__).with_name("mixed.yaml")
DAY, HOUR, MINUTE = 86400, 3600, 60


@pytest.fixture(scope="module")
def two_roads():
    return signed_log()


@pytest.fixture(scope="module")
def mixed():
    return signed_log(MIXED)


def briefing_of(log, first="2023-09-11", last="2023-09-19"):
    return compute(log.history(), Period.parse(first, last), log.checkpoint())


def values(briefing) -> dict:
    return {f.id: f.value for f in briefing.figures()}


def entries(briefing) -> dict:
    return {f.id: f.entries for f in briefing.figures()}


def statement_types(log) -> dict[int, str]:
    import json

    return {i: json.loads(e)["statement"]["type"] for i, e in enumerate(log.entries)}


def test_two_roads_totals(two_roads):
    got = values(briefing_of(two_roads))
    assert {k: v for k, v in got.items() if k.startswith("totals/")} == {
        "totals/requested": 2, "totals/requested.legs": 3, "totals/requested.vehicles": 3,
        "totals/requested.kg": 54300, "totals/consent": 7, "totals/refuse": 0, "totals/withdraw": 0,
        "totals/cancel": 0, "totals/depart": 3, "totals/deliver": 3, "totals/delivered.kg": 54300,
    }


def test_two_roads_every_figure_rests_on_the_statements_it_counts(two_roads):
    briefing = briefing_of(two_roads)
    types = statement_types(two_roads)
    cited = entries(briefing)
    assert {types[i] for i in cited["totals/requested"]} == {"plan.submit"}
    assert {types[i] for i in cited["totals/consent"]} == {"plan.consent"} and len(cited["totals/consent"]) == 7
    assert {types[i] for i in cited["totals/delivered.kg"]} == {"leg.deliver"}
    assert {types[i] for i in cited["incidents/inc-mines/dispute/35/text"]} == {"incident.dispute"}
    for figure in briefing.figures():  # a figure with something to show rests on at least one entry
        if figure.value not in (0, None, ""):
            assert figure.entries, figure.id
            assert all(0 <= i < len(two_roads.entries) for i in figure.entries)


def test_two_roads_waiting_per_party(two_roads):
    """Over the whole example, each party's waiting is the engine's total over both plans: the receiving
    authority six days and more, the host state's services hours."""
    briefing = briefing_of(two_roads)
    history = two_roads.history()
    engine = {}
    for plan in history.state.plans.values():
        for party, seconds in waiting_seconds(plan, history.state.clock).items():
            engine[party] = engine.get(party, 0) + seconds
    rows = {row.id.split("/")[1]: row for row in briefing.tables["waiting"]}
    assert {party: row.cells["seconds"].value for party, row in rows.items()} == engine
    assert rows["recv"].cells["seconds"].value == 6 * DAY + 9 * HOUR + 30 * MINUTE  # 6d 6h 55m + 2h 35m on truck-b
    assert rows["recv"].cells["seconds"].display == "6d 9h 30m"
    assert rows["customs"].cells["seconds"].value == 4 * HOUR + 5 * MINUTE
    assert briefing.tables["waiting"][0].id == "waiting/recv"  # longest first
    assert rows["recv"].cells["plans"].value == 2 and rows["recv"].cells["waiting_at_end"].value == 0
    types = statement_types(two_roads)
    cited = {types[i] for i in rows["recv"].entries}
    assert types[rows["recv"].entries[0]] == "plan.submit" and "plan.consent" in cited


def test_two_roads_tables(two_roads):
    got = values(briefing_of(two_roads))
    assert got["tonnes_by_category/food/requested"] == 48000 and got["tonnes_by_category/food/delivered"] == 48000
    assert got["tonnes_by_category/health/delivered"] == 900  # 58 good + 2 damaged of 60 cartons
    assert got["tonnes_by_route/Lachin%E2%80%93Khankendi/requested"] == 21300
    assert got["tonnes_by_route/Aghdam%E2%80%93Khankendi/delivered"] == 33000
    assert got["stages/submitted-cleared/legs"] == 3 and got["stages/submitted-cleared/median"] == 6 * DAY + 6 * HOUR
    assert got["stages/departed-delivered/median"] == 3 * HOUR + 38 * MINUTE
    assert got["incidents/inc-gnss/reporter"] == "Receiving authority (Khankendi)"
    assert got["incidents/inc-mines/dispute/35/party"] == "Receiving authority (Khankendi)"
    assert got["incidents/inc-mines/signed"] == "party"
    assert not any(key.startswith("datasets/") for key in got)


def test_a_day_of_the_period_only(two_roads):
    """12 September: the single truck's plan alone; waiting clipped to the day (the receiving authority's
    wait on the two-road plan counts 24 hours of it)."""
    got = values(briefing_of(two_roads, "2023-09-12", "2023-09-12"))
    assert got["totals/requested"] == 1 and got["requested/20/plan"] == "truck-b"
    assert got["totals/deliver"] == 1 and got["totals/delivered.kg"] == 13000
    assert got["waiting/recv/seconds"] == DAY + 9300  # all day on two-roads, and 2h 35m on truck-b
    assert got["waiting/recv/waiting_at_end"] == 1
    assert "incidents/inc-gnss/claim" not in got  # claimed on the 13th


def test_a_period_with_nothing_in_it(two_roads):
    briefing = briefing_of(two_roads, "2023-08-01", "2023-08-31")
    assert all(f.value == 0 for f in briefing.totals)
    assert all(rows == [] for rows in briefing.tables.values())


def test_refusals_withdrawals_and_a_revealed_window(mixed):
    briefing = briefing_of(mixed, "2023-10-01", "2023-10-05")
    got = values(briefing)
    assert got["refusals/10/reason"] == "security" and got["refusals/10/text"] == "Not <b>now</b>"
    assert got["refusal_reasons/security/count"] == 1
    assert got["withdrawals/14/reason"] == "timing" and got["totals/withdraw"] == 1
    assert got["deliveries/24/kg"] == 3000  # 3 of 4 t received, 1 lost
    history = mixed.history()
    clock = history.state.clock
    requester = {plan: waiting_seconds(state, clock)["org"] for plan, state in history.state.plans.items()}
    assert got["waiting/org/seconds"] == sum(requester.values())
    assert requester["p3"] == 50 * MINUTE + 15 * MINUTE + 2 * HOUR  # the reveal credits 2 hours after the window opened
    assert got["waiting/org/waiting_at_end"] == 2  # the refused and the withdrawn plan wait on the organisation


def test_attested_datasets_by_the_passage_day_with_weight_coverage(mixed):
    got = values(briefing_of(mixed, "2023-10-01", "2023-10-05"))
    assert got["datasets/trucks/source"] == "A data source"
    assert got["datasets/trucks/passages"] == 3  # the passage of 30 September is outside the period
    assert got["datasets/trucks/kg"] == 20000 and got["datasets/trucks/weighed"] == 1  # t2 and half of t4 without
    assert got["datasets/trucks/crossing/South/kg"] == 0 and got["datasets/trucks/crossing/South/weighed"] == 0
    assert (got["datasets/trucks/crossing/North/passages"], got["datasets/trucks/crossing/North/kg"]) == (2, 20000)
    # a passage with two commodities counts in each, with the weight of its lines there
    assert (got["datasets/trucks/commodity/food/passages"], got["datasets/trucks/commodity/food/kg"],
            got["datasets/trucks/commodity/food/weighed"]) == (3, 21000, 2)
    assert (got["datasets/trucks/commodity/wash/passages"], got["datasets/trucks/commodity/wash/kg"],
            got["datasets/trucks/commodity/wash/weighed"]) == (1, 0, 0)
    assert got["totals/requested.kg"] == 9700  # attested passages are never added to signed ones


def test_the_briefing_at_an_earlier_size_knows_only_what_was_logged_by_then(two_roads):
    size = 36  # up to the dispute of 14 September
    history = two_roads.history(size)
    briefing = compute(history, Period.parse("2023-09-11", "2023-09-19"), two_roads.checkpoint(size))
    got = values(briefing)
    assert got["totals/requested"] == 2 and got["totals/deliver"] == 1
    assert got["waiting/recv/waiting_at_end"] == 1  # still waited on at the log's last statement
    with pytest.raises(ValueError):
        compute(history, Period.parse("2023-09-11", "2023-09-19"), two_roads.checkpoint())


def test_ranges_round_trip():
    assert ranges([9, 3, 4, 5, 5]) == "3-5,9" and parse_ranges("3-5,9") == (3, 4, 5, 9)
    assert ranges([]) == "" and parse_ranges("") == ()


def test_a_period_ends_after_it_starts():
    with pytest.raises(ValueError):
        Period.parse("2023-09-19", "2023-09-11")
    with pytest.raises(ValueError):
        Period.parse("yesterday", "2023-09-11")
    assert 1694390400 in Period.parse("2023-09-11", "2023-09-11")
    assert 1694390400 + DAY not in Period.parse("2023-09-11", "2023-09-11")


def test_the_machine_readable_briefing(two_roads):
    machine = briefing_of(two_roads).to_json()
    assert machine["period"] == {"from": "2023-09-11", "to": "2023-09-19"}
    assert machine["checkpoint"]["size"] == len(two_roads.entries)
    assert machine["figures"]["totals/requested"] == {"value": 2, "display": "2", "entries": "16,20"}
    assert machine["as_of"] == "2023-09-18T11:30:00Z"


def test_codes_name_their_vocabulary_and_times_read_as_people_read_them(two_roads, mixed):
    """The figures keep the log's codes and say which vocabulary each is a code of (the rendering puts them in
    words: briefing/words.py); times keep the log's form as values and read "2023-09-11 09:30 UTC"."""
    from corridor.figures.briefing import readable_time

    figures = {f.id: f for f in briefing_of(two_roads).figures()}
    assert [(figures[i].value, figures[i].words) for i in ("consents/18/capacity", "incidents/inc-mines/category",
                                                            "stages/submitted-cleared/stage", "waiting/recv/seconds",
                                                            "incidents/inc-mines/signed", "requested/16/linkage")] == [
        ("border_control", "capacity"), ("mines_uxo", "incident"), ("submitted → cleared", "stages"),
        (552600, "duration"), ("party", "signing"), ("simultaneous", "linkage")]
    assert figures["consents/18/capacity"].display == "border_control"  # language-neutral: the code itself
    assert figures["consents/17/time"].value == "2023-09-11T09:30:00Z"
    assert figures["consents/17/time"].display == "2023-09-11 09:30 UTC"
    assert figures["incidents/inc-gnss/occurred"].display == "2023-09-12 00:00 UTC – 2023-09-13 06:00 UTC"
    assert figures["totals/requested"].words == figures["incidents/inc-mines/claim"].words == ""
    refused = {f.id: f for f in briefing_of(mixed, "2023-10-01", "2023-10-05").figures()}
    assert refused["refusals/10/reason"].words == refused["refusal_reasons/security/reason"].words == "reason"
    assert refused["withdrawals/14/reason"].words == "reason"
    assert [readable_time(t) for t in ("2023-09-11T09:30:05Z", "2023-09-11", "yesterday")] == [
        "2023-09-11 09:30:05 UTC", "2023-09-11", "yesterday"]
