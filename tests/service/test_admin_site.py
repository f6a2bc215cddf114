"""The admin's views take the in-memory fold before Django opens their transaction (admin_site.py), so an
operator's save that records a statement never holds the database while waiting for the fold: a request that
read the fold and then writes (a sign-in) goes through while the operator saves."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone

from corridor.service import clock
from corridor.service.ledger.models import StatementIndex
from corridor.service.ledger.record import _fold_access as fold_access
from corridor.service.ledger.record import current_fold, reading_fold

from .ledger.test_fold_reads import in_thread

pytestmark = pytest.mark.django_db(transaction=True)
T = 1694420000
DB_WAIT = 3.0


def give_up_waiting_for_the_database_after(seconds: float) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
        else:
            cursor.execute(f"SET lock_timeout = '{int(seconds * 1000)}ms'")


def until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)




def test_an_operators_save_waits_for_the_fold_before_its_transaction(parties, monkeypatch):
    """Django's transaction holds SQLite's write lock from its BEGIN IMMEDIATE: were the fold taken only
    when the save records, the operator would wait for the request's read, the request for the database."""
    from corridor.service.parties.admin import PartyAdmin

    saving = threading.Event()
    save_model = PartyAdmin.save_model

    def save_model_seen(self, *args):
        saving.set()  # inside Django's transaction
        return save_model(self, *args)

    monkeypatch.setattr(PartyAdmin, "save_model", save_model_seen)
    operator = get_user_model().objects.create_superuser("op", "op@example.org", "pw-for-tests-only")
    signing_in = get_user_model().objects.create(username="signing-in")
    admin = Client()
    admin.force_login(operator)
    b_read, a_posting = threading.Event(), threading.Event()

    def request_b() -> None:
        give_up_waiting_for_the_database_after(DB_WAIT)
        with reading_fold():
            current_fold()
            b_read.set()
            assert a_posting.wait(10)
            until(lambda: saving.is_set() or fold_access._writers_waiting)  # A saves, or waits for the fold first
            time.sleep(0.3)
            get_user_model().objects.filter(pk=signing_in.pk).update(last_login=timezone.now())

    def operator_a() -> int:
        give_up_waiting_for_the_database_after(DB_WAIT)
        assert b_read.wait(10)
        a_posting.set()
        with clock.frozen_at(T):
            return admin.post("/admin/parties/party/recv/change/", {"name": "Receiving authority (town)"}).status_code

    (b, b_out), (a, a_out) = in_thread(request_b), in_thread(operator_a)
    for thread in (a, b):
        thread.join(timeout=4 * DB_WAIT)
    assert not a.is_alive() and not b.is_alive()
    assert "error" not in b_out, f"the request waited for the database until it gave up: {b_out['error']!r}"
    assert a_out.get("result") == 302, a_out
    assert StatementIndex.objects.filter(type="party.register", subject="recv").count() == 2
