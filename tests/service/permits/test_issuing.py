"""Permits issued as the log moves: when the leg is cleared for passage, one per vehicle, its digest on the
log and the signed permit kept privately; revoked when the plan changes under it."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps

from corridor.permits import document
from corridor.permits.errors import PermitRejected
from corridor.permits.qr import to_text
from corridor.permits.trust import parse_permit_keys
from corridor.permits.verify import parse_revocation_list, verify_permit
from corridor.service import clock
from corridor.service.ledger.keys import trust_text
from corridor.service.ledger.models import LogEntry, StatementIndex
from corridor.service.ledger.rebuild import rebuild
from corridor.service.permits.models import IssuedPermit, PermitCheckpoint

from ..web.stages import REQUIRED, T, amend, consented, post, scheduled, submitted, version

pytestmark = pytest.mark.django_db
NOON_THIRTY = 1694435400  # 2023-09-11T12:30:00Z, inside the 12:00-13:00 slot


def statements(kind: str) -> list[dict]:
    indexes = list(StatementIndex.objects.filter(type=kind).order_by("idx").values_list("idx", flat=True))
    entries = {e.idx: json.loads(bytes(e.data))["statement"] for e in LogEntry.objects.filter(idx__in=indexes)}
    return [entries[index] for index in indexes]


def issued_world(parties):
    submitted(parties)
    consented(parties)
    assert not IssuedPermit.objects.exists()  # cleared, but no slot confirmed yet
    scheduled(parties)


def test_a_cleared_leg_gets_a_permit_per_vehicle_that_verifies_offline(parties, tiles):
    issued_world(parties)
    permit_row = IssuedPermit.objects.get()
    assert (permit_row.plan_id, permit_row.leg_id, permit_row.vehicle_id) == ("p1", "leg-a", "truck-1")
    [issued] = statements("permit.issue")
    assert issued["party"] == "operator" and issued["payload"]["digest"] == permit_row.digest
    consents = [r.idx for r in StatementIndex.objects.filter(type__in=["plan.consent", "slot.confirm"])]
    assert sorted(issued["payload"]["consents"]) == sorted(consents)
    log = b"".join(bytes(e.data) for e in LogEntry.objects.all())
    assert b"AB 123" not in log and b"2023-09-11T12:00:00Z" not in log  # plate and window stay off the log
    verified = verify_permit(to_text(bytes(permit_row.signed)), parse_permit_keys(trust_text()), NOON_THIRTY,
                             checkpoint="lachin-checkpoint")
    permit = verified.permit
    assert (permit.plate, permit.version, permit.consents) == ("AB 123", version(parties), tuple(sorted(consents)))
    assert document.digest(bytes(permit_row.signed)) == permit_row.digest


def test_a_withdrawal_revokes_the_permit_on_the_log(parties, tiles):
    issued_world(parties)
    post(parties, "border", "/plans/p1/withdraw", {"reason": "security"}, T + 3000)
    [revoked] = statements("permit.revoke")
    assert (revoked["payload"]["permit"], revoked["payload"]["reason"]) == ("leg-a.truck-1.1", "withdrawal")


def test_the_public_revocation_list_lets_a_device_refuse_a_revoked_permit_offline(parties, tiles, public):
    issued_world(parties)
    row = IssuedPermit.objects.get()
    listed = public.get("/log/permits/revoked.txt")
    assert listed.status_code == 200 and parse_revocation_list(listed.content.decode()) == frozenset()
    post(parties, "customs", "/plans/p1/withdraw", {"reason": "security"}, T + 3000)
    with clock.frozen_at(T + 3000):  # fetched before the permit's window is over (it lists only those)
        text = public.get("/log/permits/revoked.txt").content.decode()
    assert "AB 123" not in text and "12:00" not in text  # digests and ids only, as on the log
    with pytest.raises(PermitRejected) as caught:
        verify_permit(bytes(row.signed), parse_permit_keys(trust_text()), NOON_THIRTY,
                      revoked=parse_revocation_list(text))
    assert caught.value.code == "permit.revoked"


def test_an_amendment_revokes_and_a_new_clearance_issues_the_next_permit(parties, tiles):
    issued_world(parties)
    amend(parties, at=T + 3000)
    assert [s["payload"]["reason"] for s in statements("permit.revoke")] == ["amendment"]
    consented(parties, at=T + 3600)
    assert IssuedPermit.objects.count() == 1  # the amendment dropped the slot: none until it is confirmed again
    post(parties, "org-a", "/plans/p1/propose-slot",
         {"slot": "s2", "start": "2023-09-11T12:00:00Z", "end": "2023-09-11T13:00:00Z"}, T + 4200)
    for party in REQUIRED:
        post(parties, party, "/plans/p1/confirm-slot", {"slot": "s2"}, T + 4300)
    ids = list(IssuedPermit.objects.order_by("log_index").values_list("permit_id", flat=True))
    assert ids == ["leg-a.truck-1.1", "leg-a.truck-1.2"]
    assert statements("permit.issue")[-1]["payload"]["version"] == version(parties)


def test_the_api_gives_the_permits_to_the_parties_of_the_passage_only(parties, tiles, public):
    issued_world(parties)
    status, answer = parties["org-a"].get("/plans/p1/permits")
    assert status == 200
    [permit] = answer["results"]
    row = IssuedPermit.objects.get()
    assert (permit["permit"], permit["digest"], permit["text"]) == ("leg-a.truck-1.1", row.digest,
                                                                     to_text(bytes(row.signed)))
    assert parties["org-b"].get("/plans/p1/permits")[0] == 404
    assert parties["mediator"].get("/plans/p1/permits")[0] == 404
    assert public.get("/api/v1/plans/p1/permits").status_code == 404
    assert parties["org-a"].get("/plans/nope/permits")[0] == 404


def test_the_plan_page_links_each_permit_for_the_parties_of_the_passage_only(parties, tiles):
    from django.test import Client

    from corridor.service import clock
    from corridor.service.parties.operations import do_create_user

    issued_world(parties)
    do_create_user("org-a-officer", "org-a", "officer", password="a-long-test-password")
    officer, public = Client(), Client()
    assert officer.login(username="org-a-officer", password="a-long-test-password")
    with clock.frozen_at(NOON_THIRTY):
        mine, theirs = (client.get("/plans/p1").content.decode() for client in (officer, public))
    assert 'href="/plans/p1/permits/leg-a.truck-1.1"' in mine and "Passage permits" in mine
    assert "/permits/" not in theirs and "Passage permits" not in theirs


def where_valid_rows() -> list[tuple]:
    return sorted(PermitCheckpoint.objects.values_list("permit__permit_id", "checkpoint", "valid_from", "valid_until"))


def test_each_permit_is_kept_with_its_checkpoints_and_span_which_a_rebuild_keeps(parties, tiles):
    """What the checkpoint app finds permits by (web/checkpoint_app.py): the checkpoints a permit names, with its
    window give or take the tolerance. Neither is on the log, so a rebuild keeps them as it keeps the permit."""
    submitted(parties, tolerance_seconds=900)
    consented(parties)
    scheduled(parties)
    noon = datetime(2023, 9, 11, 12, tzinfo=UTC)
    rows = where_valid_rows()
    assert rows == [("leg-a.truck-1.1", "lachin-checkpoint", noon - timedelta(minutes=15),
                     noon + timedelta(minutes=75))]
    rebuild()
    assert where_valid_rows() == rows


def test_the_migration_gives_the_permits_issued_before_it_the_same_rows(parties, tiles):
    issued_world(parties)
    amend(parties, at=T + 3000)
    consented(parties, at=T + 3100)
    post(parties, "org-a", "/plans/p1/propose-slot",  # a second permit, for the next day's window
         {"slot": "s2", "start": "2023-09-12T12:00:00Z", "end": "2023-09-12T14:00:00Z"}, T + 3200)
    for party in REQUIRED:
        post(parties, party, "/plans/p1/confirm-slot", {"slot": "s2"}, T + 3300)
    written = where_valid_rows()
    assert len(written) == IssuedPermit.objects.count() == 2
    PermitCheckpoint.objects.all().delete()
    migration = importlib.import_module("corridor.service.permits.migrations.0002_permit_checkpoints")
    migration.fill(apps, None)
    assert where_valid_rows() == written
