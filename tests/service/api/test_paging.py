"""Legs and lines are paged plan by plan (api/reads.by_plan), never by sorting every row: every page holds
exactly the rows the whole sorted list has there, across the batches the plans are read in."""

from __future__ import annotations

import base64
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from corridor.service import clock
from corridor.service.api import paging
from corridor.service.api.keyset import tag
from corridor.service.api.paging import MAX_SKIPPED
from corridor.service.exports import tables
from corridor.service.imports.attest import ImportReport, ensure_source, record_attestations

from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694421000


@pytest.mark.parametrize(("path", "query", "rows"), [
    ("/api/v1/legs", tables.legs_query, tables.leg_rows),
    ("/api/v1/lines", tables.lines_query, tables.line_rows),
])
def test_every_page_is_the_slice_of_the_sorted_list(parties, path, query, rows):
    for n in range(9):
        legs = [{**plan_body()["legs"][0], "id": f"leg-{k}"} for k in range(1 + n % 3)]  # 1 to 3 legs a plan
        with clock.frozen_at(T + (n % 4) * 60):  # several plans submitted at the same second
            assert parties["org-a"].post("/plans", plan_body(f"plan-{n}", legs=legs))[0] == 201
    everything = list(rows(query()))
    assert len(everything) == 18
    for size in (1, 2, 4, 7):
        pages = [Client().get(path, {"page": page, "page_size": size}).json()
                 for page in range(1, len(everything) // size + 3)]
        assert [row for page in pages for row in page["results"]] == everything
        assert {page["count"] for page in pages if page["results"]} == {len(everything)}


# -- cursors: `after` walks any list to its end at the same cost a page, and refuses what it did not give --

def walk(client: Client, path: str, size: int, **filters) -> list[dict]:
    """Every row of a list, read page after page through each page's `next`."""
    rows, after = [], None
    for _ in range(100):
        query = {"page_size": size, **filters, **({"after": after} if after else {})}
        page = client.get(path, query).json()
        rows += page["results"]
        after = page["next"]
        if after is None:
            return rows
    raise AssertionError("the walk did not end")


def plans_on_three_seconds(parties) -> None:
    for n in range(9):
        legs = [{**plan_body()["legs"][0], "id": f"leg-{k}"} for k in range(1 + n % 3)]
        with clock.frozen_at(T + (n % 3) * 60):  # three plans a second: the order's ties are broken by id
            assert parties["org-a"].post("/plans", plan_body(f"plan-{n}", legs=legs))[0] == 201


@pytest.mark.parametrize("path", ["/api/v1/plans", "/api/v1/legs", "/api/v1/lines", "/api/v1/waiting"])
def test_a_walk_by_cursor_reads_every_row_once_in_the_lists_order(parties, path):
    plans_on_three_seconds(parties)
    with clock.frozen_at(T + 600):  # the waiting list's totals are live
        whole = Client().get(path, {"page_size": 500}).json()
        assert whole["next"] is None and len(whole["results"]) >= 9
        for size in (1, 2, 5, 7):
            assert walk(Client(), path, size) == whole["results"]


def test_a_walk_by_cursor_keeps_the_filters(parties):
    plans_on_three_seconds(parties)
    for path, filters in [("/api/v1/legs", {"plan": "plan-5"}), ("/api/v1/legs", {"status": "submitted"}),
                          ("/api/v1/lines", {"category": "food"}), ("/api/v1/plans", {"party": "border"}),
                          ("/api/v1/waiting", {"now": "1"}), ("/api/v1/waiting", {"party": "recv"})]:
        with clock.frozen_at(T + 600):
            whole = Client().get(path, {"page_size": 500, **filters}).json()["results"]
            assert whole and walk(Client(), path, 2, **filters) == whole, (path, filters)


def test_the_waiting_list_walks_past_those_not_waited_on(parties):
    """Rows waited on now first (oldest first), then those no longer waited on (no time): the cursor passes
    from one to the other, and through the second, without losing or repeating a row."""
    plans_on_three_seconds(parties)
    with clock.frozen_at(T + 600):
        assert parties["org-a"].post("/plans/plan-0/cancel", {})[0] == 201
        whole = Client().get("/api/v1/waiting", {"page_size": 500}).json()["results"]
        assert {row["waiting_now"] for row in whole} == {True, False}
        assert walk(Client(), "/api/v1/waiting", 1) == whole


def test_disputes_incidents_and_attestations_walk_by_cursor(parties):
    claim = {"category": "interference", "place": {"name": "Near the town"}, "occurred_from": "2023-09-10T00:00:00Z",
             "text": "GNSS interference"}
    for n in range(5):
        with clock.frozen_at(T + n // 2):
            assert parties["border"].post("/incidents", {**claim, "incident": f"claim-{n}"})[0] == 201
    for n in range(5):
        with clock.frozen_at(T + 10 + n):
            assert parties["recv"].post("/incidents/claim-0/dispute", {"text": f"no, {n}"})[0] == 201
    ensure_source("trucks-src", "A trucking source")
    record_attestations("trucks-src", [truck(n) for n in range(1, 6)], ImportReport("t"), lambda message: None)
    for path in ("/api/v1/incidents", "/api/v1/incidents/claim-0/disputes", "/api/v1/attestations"):
        whole = Client().get(path, {"page_size": 500}).json()["results"]
        assert len(whole) == 5 and walk(Client(), path, 2) == whole, path


def truck(n: int) -> dict:
    return {"passage": f"t-{n}", "dataset": "trucks", "reference": str(n), "crossing": "Kerem Shalom",
            "received": "2024-01-0" + str(n), "lines": [{"item": "Flour", "quantity": 29, "unit": "Pallets",
                                                         "weight_kg": None, "published": {"ID": str(n)}}]}


def test_the_last_page_has_no_next_and_a_page_number_walk_gives_cursors_too(parties):
    plans_on_three_seconds(parties)
    first = Client().get("/api/v1/plans", {"page_size": 4}).json()
    assert first["next"] and first["count"] == 9
    second = Client().get("/api/v1/plans", {"page_size": 4, "after": first["next"]}).json()
    assert second["results"] == Client().get("/api/v1/plans", {"page_size": 4, "page": 2}).json()["results"]
    last = Client().get("/api/v1/plans", {"page_size": 4, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None and last["count"] == 9
    exactly = Client().get("/api/v1/plans", {"page_size": 9}).json()
    assert len(exactly["results"]) == 9 and exactly["next"] is None  # a full last page says it is the last


def test_a_cursors_query_skips_no_rows(parties):
    """The page after a cursor is read from the cursor on (no OFFSET), so it costs the same however deep."""
    plans_on_three_seconds(parties)
    cursor = Client().get("/api/v1/legs", {"page_size": 3}).json()["next"]
    with CaptureQueriesContext(connection) as queries:
        assert Client().get("/api/v1/legs", {"page_size": 3, "after": cursor}).status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "OFFSET" in q["sql"].upper()]


def test_a_page_number_reaches_only_the_first_rows(parties):
    deep = Client().get("/api/v1/lines", {"page": MAX_SKIPPED // 500 + 2, "page_size": 500})
    assert (deep.status_code, deep.json()["code"]) == (400, "query.too_deep")
    assert "`after`" in deep.json()["message"]
    assert Client().get("/api/v1/lines", {"page": MAX_SKIPPED // 50 + 1, "page_size": 50}).status_code == 200


def cursor(values, keys=paging.PLANS) -> str:
    """A cursor of these values, with the tag of the list whose order `keys` is (a list of values only)."""
    values = [tag(keys), *values] if isinstance(values, list) else values
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize("after", [
    "not-a-cursor", "AAAA", cursor({"a": 1}), cursor(["2023-09-11T08:30:00+00:00"]),  # not a list; too short
    cursor([1694421000, "plan-1"]), cursor(["2023-09-11T08:30:00", "plan-1"]),  # a number for a time; no zone
    cursor(["2023-09-11T08:30:00+00:00", 5]), cursor(["2023-09-11T08:30:00+00:00", "a\x00b"]),  # NUL: no column
    cursor(["2023-09-11T08:30:00+00:00", "plan-1", "leg-1"]), "x" * 2000,  # another list's; too long
    cursor(["0001-01-01T00:00:00+14:00", "plan-1"]), cursor(["9999-12-31T23:59:59-14:00", "plan-1"]),  # not in UTC
])
def test_a_cursor_the_list_did_not_give_is_refused_in_words(parties, after):
    plans_on_three_seconds(parties)
    answer = Client().get("/api/v1/plans", {"after": after})
    assert (answer.status_code, answer.json()["code"]) == (400, "query.invalid")


@pytest.mark.parametrize(("path", "after"), [
    ("/api/v1/incidents/claim/disputes", cursor([True], paging.DISPUTES)),
    ("/api/v1/incidents/claim/disputes", cursor([2**70], paging.DISPUTES)),
    ("/api/v1/lines", cursor(["plan-1", "leg-1", "7"], paging.LINES)),
    ("/api/v1/waiting", cursor([None, None, "x"], paging.WAITING)),
])
def test_a_cursors_values_must_be_of_their_columns_types(parties, path, after):
    with clock.frozen_at(T):
        parties["border"].post("/incidents", {"incident": "claim", "category": "interference", "text": "t",
                                              "place": {"name": "here"}, "occurred_from": "2023-09-10T00:00:00Z"})
    answer = Client().get(path, {"after": after})
    assert (answer.status_code, answer.json()["code"]) == (400, "query.invalid")


def test_a_cursor_with_a_page_number_is_refused(parties):
    plans_on_three_seconds(parties)
    first = Client().get("/api/v1/plans", {"page_size": 2}).json()
    answer = Client().get("/api/v1/plans", {"page": 2, "after": first["next"]})
    assert (answer.status_code, answer.json()["code"]) == (400, "query.invalid")


LISTS = {"/api/v1/plans": (paging.PLANS, ["2023-09-11T08:30:00+00:00", "p"]),
         "/api/v1/legs": (paging.LEGS, ["2023-09-11T08:30:00+00:00", "p", "l"]),
         "/api/v1/lines": (paging.LINES, ["p", "l", 1]),
         "/api/v1/incidents": (paging.INCIDENTS, ["2023-09-11T08:30:00+00:00", "i"]),
         "/api/v1/waiting": (paging.WAITING, ["2023-09-11T08:30:00+00:00", "p", "b"]),
         "/api/v1/attestations": (paging.ATTESTATIONS, ["d", "p"])}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("value", [
    "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59",  # in UTC, before year 1 and after 9999
    "2023-09-11T08:30:00-16:00", "2023-09-11T08:30:00+00:00:30.5",  # offsets PostgreSQL does not take
    "\ud800", "\udfff\ud800",  # JSON takes lone surrogates ("\\ud800"); they are no text a column holds
])
def test_a_cursor_value_no_column_holds_is_refused_or_read_never_a_server_error(parties, path, value):
    """Each text or time of each list's cursor replaced in turn: the database never sees a value it cannot
    compare (a 500); a time the database could not take as written is read in UTC."""
    keys, template = LISTS[path]
    for place, given in enumerate(template):
        if isinstance(given, int) or (value[0].isdigit() and not given[0].isdigit()):
            continue
        after = cursor([value if i == place else v for i, v in enumerate(template)], keys)
        answer = Client().get(path, {"after": after})
        assert answer.status_code in (200, 400), (path, place, answer.content)
        if value.startswith(("0001", "9999", "\ud800", "\udfff")):
            assert answer.json()["code"] == "query.invalid", (path, place)


@pytest.mark.parametrize(("given", "path"), [
    ("/api/v1/plans", "/api/v1/incidents"), ("/api/v1/incidents", "/api/v1/plans"),  # both a time and an id
    ("/api/v1/plans", "/api/v1/attestations"), ("/api/v1/incidents", "/api/v1/attestations"),  # texts to it
    ("/api/v1/legs", "/api/v1/waiting"), ("/api/v1/waiting", "/api/v1/legs"),  # a time and two texts
])
def test_another_lists_cursor_is_refused_even_where_its_values_would_pass(parties, given, path):
    """A client that passes one list's `next` to another learns it at once, rather than reading a page from
    a place that means nothing there (and stopping its walk short or reading it twice)."""
    keys, values = LISTS[given]
    assert Client().get(given, {"after": cursor(values, keys)}).status_code == 200
    answer = Client().get(path, {"after": cursor(values, keys)})
    assert (answer.status_code, answer.json()["code"]) == (400, "query.invalid"), answer.content
    untagged = base64.urlsafe_b64encode(json.dumps(LISTS[path][1]).encode()).decode().rstrip("=")  # no list named
    assert Client().get(path, {"after": untagged}).status_code == 400


def test_an_empty_after_is_no_cursor_as_an_empty_filter_is_no_filter(parties):
    """`after=` (a client that always sends the parameter) is the list from its start, with a page number too;
    page 1 may be given beside a cursor."""
    plans_on_three_seconds(parties)
    for page in (1, 2):
        expected = Client().get("/api/v1/plans", {"page_size": 2, "page": page}).json()
        assert Client().get("/api/v1/plans", {"page_size": 2, "page": page, "after": ""}).json() == expected
    first = Client().get("/api/v1/plans", {"page_size": 2}).json()
    assert Client().get("/api/v1/plans", {"page_size": 2, "page": 1, "after": first["next"]}).json()["results"] == \
        Client().get("/api/v1/plans", {"page_size": 2, "page": 2}).json()["results"]


@pytest.mark.parametrize(("path", "key"), [
    ("/api/v1/plans", ("plan",)), ("/api/v1/legs", ("plan", "leg")), ("/api/v1/lines", ("plan", "leg", "line")),
    ("/api/v1/waiting", ("plan", "party")),
])
def test_plans_submitted_during_a_walk_neither_repeat_nor_hide_a_row(parties, path, key):
    """A plan submitted between two pages (a newer one, as plans are): every row there was is read once; the
    new plan's rows are read only where they sort after the walk's place (newest first: never, for plans)."""
    plans_on_three_seconds(parties)
    with clock.frozen_at(T + 600):
        before = [tuple(row[k] for k in key) for row in Client().get(path, {"page_size": 500}).json()["results"]]
        walked, after, n = [], "", 0
        while after is not None:
            body = Client().get(path, {"page_size": 2, "after": after}).json()
            walked, after = walked + [tuple(row[k] for k in key) for row in body["results"]], body["next"]
            n += 1
            assert parties["org-a"].post("/plans", plan_body(f"new-{n}", legs=[{**plan_body()["legs"][0]}]))[0] == 201
    assert len(walked) == len(set(walked)) and set(before) <= set(walked)
    if path in ("/api/v1/plans", "/api/v1/legs"):
        assert walked == before


@pytest.mark.parametrize("filters", [{}, {"party": "recv"}, {"party": "recv", "now": "1"}])
def test_a_page_of_the_waiting_list_is_read_off_an_index_in_order(parties, filters):
    """Whole or for one party, and past those waited on now (into the clocks no longer waited on: a party's
    whole history), a page by cursor is read off an index in the list's order from its place, never by sorting
    the clocks that match nor by reading every party's to find its own."""
    from .test_party_reads import read_in_index_order, sql_run_anywhere

    plans_on_three_seconds(parties)
    with clock.frozen_at(T + 600):
        for n in range(4):
            assert parties["org-a"].post(f"/plans/plan-{n}/cancel", {})[0] == 201
        rows = walk(Client(), "/api/v1/waiting", 500, **filters)
        middle = [n for n, row in enumerate(rows) if row["waiting_now"] == ("now" in filters)][-2]
        cursor_at = tables.waiting_query().get(plan_id=rows[middle]["plan"], party_id=rows[middle]["party"])
        from corridor.service.api.keyset import cursor_of
        from corridor.service.api.paging import WAITING
        with sql_run_anywhere() as run:
            page = Client().get("/api/v1/waiting", {**filters, "page_size": 1, "after": cursor_of(WAITING, cursor_at)})
        assert page.json()["results"] == rows[middle + 1:middle + 2]
    [sql] = [sql for sql in run if sql.startswith('SELECT "clock"."id"')]
    # off the party's own part of an index, not every party's clocks read to find its own
    index = "clock_party_waiting_order" if "party" in filters else "clock_"
    ordered, plan = read_in_index_order(sql, index)
    assert ordered, (sql, plan)


@pytest.mark.parametrize("filters", [{}, {"dataset": "trucks"}, {"crossing": "Kerem Shalom"}])
def test_a_page_of_attestations_is_read_off_an_index_in_order(parties, filters):
    """An import is one dataset of many records: a page by cursor inside it (whole, by dataset or by crossing)
    is read off an index from its place, never by sorting the dataset's every record."""
    from .test_party_reads import read_in_index_order, sql_run_anywhere

    ensure_source("trucks-src", "A trucking source")
    record_attestations("trucks-src", [truck(n) for n in range(1, 6)], ImportReport("t"), lambda message: None)
    first = Client().get("/api/v1/attestations", {**filters, "page_size": 2}).json()
    with sql_run_anywhere() as run:
        page = Client().get("/api/v1/attestations", {**filters, "page_size": 2, "after": first["next"]}).json()
    assert [row["passage"] for row in page["results"]] == ["t-3", "t-4"]
    [sql] = [sql for sql in run if sql.startswith('SELECT "attestation"."passage"')]
    ordered, plan = read_in_index_order(sql, "attestation_")
    assert ordered, (sql, plan)


def test_legs_of_all_plans_by_status_walk_the_plans_batch_after_batch_without_an_offset(parties):
    """Legs by the plans' status (the one leg filter with no index of its own): the plans are read newest
    first a batch at a time until the page is full, each batch after the plan the last ended on (an OFFSET
    would read every plan before it again, batch after batch)."""
    plans_on_three_seconds(parties)
    with clock.frozen_at(T):  # the oldest second's last plan by id: the list's last
        assert parties["org-a"].post("/plans", plan_body("z-oldest", legs=[plan_body()["legs"][0]]))[0] == 201
    assert parties["org-a"].post("/plans/z-oldest/cancel", {})[0] == 201
    with CaptureQueriesContext(connection) as queries:
        page = Client().get("/api/v1/legs", {"status": "cancelled", "page_size": 1}).json()
    assert [row["plan"] for row in page["results"]] == ["z-oldest"] and page["next"] is None
    plan_reads = [q["sql"] for q in queries.captured_queries
                  if re.match(r'SELECT "plan"\.[^(]* FROM "plan" .*ORDER BY', q["sql"])]  # the plans' keys or ids
    assert len(plan_reads) >= 1, [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in plan_reads if "OFFSET" in sql.upper()], plan_reads
