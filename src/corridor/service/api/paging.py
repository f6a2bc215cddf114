"""How the API's lists are paged: a page number for the first rows, a cursor (`after`, each page's `next`)
for the rest, so no page costs more than MAX_SKIPPED rows read past, whatever the list's size.

A page number skips its rows one by one; a cursor starts where the last page ended, off the list's index
(api/keyset.py). Each list's order is total (it ends with a unique column), so a cursor names one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from ..ledger.record import Refused
from .keyset import MAX_CURSOR, Key, beyond, cursor_of, rows_after, values_of

MAX_PAGE = 500
MAX_PAGE_NUMBER = 1_000_000
COUNT_LIMIT = 1_000  # a list's rows are counted up to here, so a request never counts a whole table
MAX_SKIPPED = 10_000  # rows a page number may skip; further on, `after`
Cursor = Annotated[str, StringConstraints(max_length=MAX_CURSOR, pattern=r"^[A-Za-z0-9_-]*$")]

# each list's order, as its query sorts it (exports/tables.py), ending with a unique column
PLANS = (Key("submitted_at", datetime, descending=True), Key("id"))
LEGS = (Key("submitted_at", datetime, descending=True), Key("plan_id"), Key("leg_id"))
LINES = (Key("leg__plan_id"), Key("leg__leg_id"), Key("id", int))
INCIDENTS = (Key("reported_at", datetime, descending=True), Key("id"))
DISPUTES = (Key("id", int),)
WAITING = (Key("waiting_since", datetime, nulls_last=True), Key("plan_id"), Key("party_id"))
ATTESTATIONS = (Key("dataset"), Key("passage"))
PLAN_IDS = (Key("id"),)  # the plans in the lines' order (by id), which by_plan walks for them


class Paging(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE_NUMBER,
                      description=f"page number, from 1; a page may skip at most {MAX_SKIPPED:,} rows (beyond, "
                                  f"`after`)")
    page_size: int = Field(50, ge=1, le=MAX_PAGE, description=f"rows per page, at most {MAX_PAGE}")
    after: Cursor | None = Field(None, description="the previous page's `next`: the rows after it (with page 1). "
                                                   "Any page costs the same this way, however deep")


def checked(paging: Paging) -> Paging:
    """Refuse a page number that would skip too many rows, or one given beside a cursor (an empty `after=` is
    none, as an empty filter is no filter)."""
    if paging.after and paging.page != 1:
        raise Refused("query.invalid", "`after` reads on from a cursor: give it without `page`", 400)
    skipped = (paging.page - 1) * paging.page_size
    if skipped > MAX_SKIPPED:
        raise Refused("query.too_deep", f"page {paging.page} of {paging.page_size} rows starts after row "
                      f"{skipped:,}; a page number may skip at most {MAX_SKIPPED:,} rows. Read on with "
                      f"`after`: each page's `next` is the cursor for the page after it", 400)
    return paging


def page_of(paging: Paging, query, to_rows, keys: tuple[Key, ...], items: list | None = None) -> dict:
    """One page (`items`: page_size + 1 rows, or read from `query`), its `next` cursor (null on the last
    page), and the rows counted: none more when the page is the last one of a page-number walk (it says how
    many there are), else at most COUNT_LIMIT + 1, so the count costs the same whatever the table's size."""
    page, size, after = checked(paging).page, paging.page_size, paging.after
    if items is None:
        start = 0 if after else (page - 1) * size
        items = list((query.filter(rows_after(keys, after)) if after else query)[start:start + size + 1])
    more, items = len(items) > size, items[:size]
    if not after and not more and (items or page == 1):
        total = (page - 1) * size + len(items)
    else:
        total = query.order_by().values("pk")[:COUNT_LIMIT + 1].count()  # ids only: no row is read whole
    return {"count": min(total, COUNT_LIMIT), "count_exact": total <= COUNT_LIMIT, "page": page, "page_size": size,
            "next": cursor_of(keys, items[-1]) if more else None, "results": list(to_rows(items))}


def by_plan(plan_ids, rows_of, paging: Paging, keys: tuple[Key, ...], plan_keys: tuple[Key, ...]) -> list:
    """page_size + 1 rows ordered by their plan first (legs: newest plan first; lines: by plan id), without
    sorting every row: the plans are read in that order off an index (`plan_ids`, a query of ids), a batch
    at a time, and `rows_of(ids)` (ordered within the batch) fetched for each batch until the page is full.
    After a cursor, the plans start at the cursor's own (`plan_keys`: the rows' keys that order the plans)
    and its rows at the one after the cursor's; each batch after the plan the last one ended on (by its keys,
    never an OFFSET: a filter few rows match walks many batches). The work grows with the page's depth or size
    and with the plans walked past to fill it, not with every plan before them once per batch."""
    after, size = checked(paging).after, paging.page_size
    skip = 0 if after else (paging.page - 1) * size
    if after:
        plan_ids = plan_ids.filter(beyond(plan_keys, values_of(keys, after)[:len(plan_keys)], inclusive=True))
        unfiltered, rows_of = rows_of, lambda ids: unfiltered(ids).filter(rows_after(keys, after))
    lookups = [key.lookup for key in plan_keys]
    plans, at_id = plan_ids.values_list(*lookups), lookups.index("id")  # each plan's keys: where a batch ended
    page, last, batch = [], None, 2 * (size + 1)
    while len(page) <= size:
        keyed = list((plans if last is None else plans.filter(beyond(plan_keys, list(last))))[:batch])
        if not keyed:
            break
        last, batch, rows = keyed[-1], min(batch * 2, 5000), rows_of([plan[at_id] for plan in keyed])
        if skip and (in_batch := rows.count()) <= skip:  # a batch wholly skipped is counted, not read
            skip -= in_batch
            continue
        page += rows[skip:skip + size + 1 - len(page)]  # the rest of the skip in the database, not row by row
        skip = 0
    return page
