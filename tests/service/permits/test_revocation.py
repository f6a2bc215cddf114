"""The revocation list (permits/revocation.py): the revoked permits a device could still accept, by the service's
clock with a day's slack; never an unrevoked one; what a device answers is what the whole list made it answer."""

from __future__ import annotations

import importlib
import itertools
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.permits.errors import PermitRejected
from corridor.permits.trust import parse_permit_keys
from corridor.permits.verify import parse_revocation_list, verify_permit
from corridor.service import clock
from corridor.service.ledger.keys import trust_text
from corridor.service.ledger.rebuild import rebuild
from corridor.service.permits.models import IssuedPermit
from corridor.service.permits.revocation import CLOCK_SLACK

from ..web.stages import REQUIRED, T, consented, post, slot_proposed, submitted

pytestmark = pytest.mark.django_db
LIST = "/log/permits/revoked.txt"
DAY = 86400
NOON, END = 1694433600, 1694437200  # the slot: 2023-09-11 12:00-13:00 UTC
TOLERANCE = 900
VALID_UNTIL = END + TOLERANCE  # the last second a device accepts the permit (verify.py: now > end + tolerance)
LAST_LISTED = VALID_UNTIL + CLOCK_SLACK
MOMENTS = [T + 3000, NOON, END, END + TOLERANCE // 2, VALID_UNTIL, VALID_UNTIL + 1, LAST_LISTED - 1, LAST_LISTED,
           LAST_LISTED + 1, LAST_LISTED + 30 * DAY]


def revoked_and_live(parties) -> tuple[IssuedPermit, IssuedPermit]:
    """p1's permit withdrawn (so revoked), p2's live; both for the 12:00-13:00 slot, tolerance 15 minutes."""
    plans = ("p1", "p2")  # a stage at a time: each party's statements go forward in time
    for plan in plans:
        submitted(parties, plan, tolerance_seconds=TOLERANCE)
    for plan in plans:
        consented(parties, plan)
    for plan in plans:
        slot_proposed(parties, plan)
    for plan, party in itertools.product(plans, REQUIRED):
        post(parties, party, f"/plans/{plan}/confirm-slot", {"slot": "s1"}, T + 2400)
    post(parties, "customs", "/plans/p1/withdraw", {"reason": "security"}, T + 3000)
    return IssuedPermit.objects.get(plan_id="p1"), IssuedPermit.objects.get(plan_id="p2")


def fetched(public, at: int) -> str:
    with clock.frozen_at(at):
        response = public.get(LIST)
    assert response.status_code == 200 and response["Cache-Control"] == "no-cache"
    return response.content.decode()


def every_revoked() -> frozenset[str]:
    """What the list held before it was bounded: every permit ever revoked (the reference)."""
    return frozenset(IssuedPermit.objects.filter(revoked_index__isnull=False).values_list("digest", flat=True))


def answer(row: IssuedPermit, now: int, revoked: frozenset[str]) -> str:
    try:
        verify_permit(bytes(row.signed), parse_permit_keys(trust_text()), now, revoked=revoked)
    except PermitRejected as rejected:
        return rejected.code
    return "valid"


def test_a_revoked_permit_is_listed_until_a_day_after_its_end_and_a_live_one_never(parties, tiles, public):
    revoked, live = revoked_and_live(parties)
    assert revoked.revoked_index is not None and live.revoked_index is None
    assert revoked.valid_until == datetime.fromtimestamp(VALID_UNTIL, UTC)
    for moment in MOMENTS:
        text = fetched(public, moment)
        assert text.startswith("# Corridor: permits revoked on the log whose validity has not ended")
        expected = every_revoked() if moment <= LAST_LISTED else frozenset()  # within the tolerance, equality
        assert parse_revocation_list(text) == expected, moment
    line = fetched(public, NOON).splitlines()[1]
    assert line == f"{revoked.digest}  # p1 leg-a.truck-1.1 withdrawal (log entry {revoked.revoked_index})"


def test_a_device_answers_as_the_whole_list_made_it_answer_whatever_its_clock_a_day_behind(parties, tiles, public):
    """Fetched at any moment, read by a device whose clock is up to a day behind the service's or any time
    after: a revoked permit is refused either way, with `permit.revoked` while the list holds it and
    `permit.expired` once it is no longer listed; a live one is answered the same as with the whole list."""
    revoked, live = revoked_and_live(parties)
    for fetched_at in MOMENTS:
        kept = parse_revocation_list(fetched(public, fetched_at))
        for now in (fetched_at - CLOCK_SLACK, fetched_at - 1, fetched_at, fetched_at + DAY):
            bounded, whole = answer(revoked, now, kept), answer(revoked, now, every_revoked())
            assert bounded != "valid" and whole == "permit.revoked", (fetched_at, now)
            assert bounded == ("permit.revoked" if revoked.digest in kept else "permit.expired"), (fetched_at, now)
            assert answer(live, now, kept) == answer(live, now, every_revoked()), (fetched_at, now)


def test_the_ends_survive_a_rebuild_and_the_migration_gives_earlier_permits_the_same(parties, tiles, public):
    revoked_and_live(parties)
    ends = sorted(IssuedPermit.objects.values_list("digest", "valid_until"))
    rebuild()
    assert sorted(IssuedPermit.objects.values_list("digest", "valid_until")) == ends
    assert parse_revocation_list(fetched(public, NOON)) == every_revoked() != frozenset()
    IssuedPermit.objects.update(valid_until=datetime(1970, 1, 1, tzinfo=UTC))
    migration = importlib.import_module("corridor.service.permits.migrations.0003_permit_valid_until")
    migration.fill(apps, None)
    assert sorted(IssuedPermit.objects.values_list("digest", "valid_until")) == ends


def ended_revocations(count: int, first: int = 0) -> None:
    """Revoked permits whose end passed long ago (as a long log holds them by the tens of thousands)."""
    ended = datetime.fromtimestamp(END - 400 * DAY, UTC)
    IssuedPermit.objects.bulk_create([
        IssuedPermit(plan_id=f"old-{n}", permit_id="leg.v.1", leg_id="leg", vehicle_id="v", digest=f"{n:064x}",
                     signed=b"", log_index=10 * n, revoked_index=10 * n + 1, reason="withdrawal", valid_until=ended)
        for n in range(first, first + count)])


def listing_queries(public) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        text = fetched(public, NOON)
    assert len(text.splitlines()) == 2, text  # the header and the one permit still valid
    return [query["sql"] for query in queries.captured_queries]


def test_the_list_is_one_read_by_index_however_many_permits_were_revoked_before(parties, tiles, public):
    revoked_and_live(parties)
    ended_revocations(10)
    small = listing_queries(public)
    ended_revocations(3000, first=10)
    large = listing_queries(public)
    assert len(large) == len(small) == 1, large
    assert "issued_permit_revoked_until" in plan_of(large[0]), plan_of(large[0])


def plan_of(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "SCAN" not in plan, plan
            return plan
        cursor.execute("ANALYZE issued_permit")  # PostgreSQL chooses by cost: with the table's statistics
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())
