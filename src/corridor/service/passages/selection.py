"""Plans selected by the rows they have (positions, clocks), read so that no request reads every row a
party has: the one place the plans list (/plans), the API's `party` filter and `visible_to` choose plans
by their positions."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

FEW_ROWS = 5000  # plans a party is asked about, or waited on for, read as a set of ids up to this (few_or_each)


class PlanByPlan(Exists):
    """EXISTS, checked for each plan as the plans are read. `OFFSET 0` keeps PostgreSQL from turning it (under
    OR) into a hash of every matching row first — a set that grows with the log (SQLite checks it per plan
    anyway)."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def each(rows) -> Q:
    """Plans that have one of `rows` (a query with a plan_id), checked plan by plan: for plans already
    narrowed (by key, or read newest first off an index until a page is full)."""
    return Q(PlanByPlan(rows.filter(plan_id=OuterRef("pk"))))


def few_or_each(rows, few: int | None = None) -> Q:
    """Plans that have one of `rows` (positions or clocks, by plan_id). Few (a requester's positions, the
    plans waiting on a party): read once off the rows' index by party, and the plans then fetched by their
    keys — never found by reading plans until they turn up. Many (a border service asked about nearly every
    plan): each plan checked as the newest are read, which fills a page after a few dozen. Either way no
    page reads every row the party has. `few`: FEW_ROWS unless given. The rows are counted (up to few + 1) in
    the database first: a party asked about many has none of its ids brought into Python."""
    few = FEW_ROWS if few is None else few
    if rows.values("pk")[:few + 1].count() > few:
        return each(rows)
    return Q(pk__in=list(rows.values_list("plan_id", flat=True)[:few]))
