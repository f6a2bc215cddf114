"""The outbox: rows queued with the statement, claimed by one worker only, sent after commit (email and
HMAC-signed webhooks), retried with backoff; reminders as rows due later."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from django.core import mail

from corridor.service import clock
from corridor.service.outbox import worker
from corridor.service.outbox.models import Message
from corridor.service.parties.operations import do_set_contact

from ..plans import plan_body

pytestmark = pytest.mark.django_db
T = 1694420000


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list] = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((self.headers["X-Corridor-Signature"], body))
        self.send_response(Receiver.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server():
    Receiver.received, Receiver.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def submit(parties):
    with clock.frozen_at(T):
        assert parties["org-a"].post("/plans", plan_body(expires_at="2023-09-20T00:00:00Z"))[0] == 201


def test_awaited_parties_are_told_by_email_and_signed_webhook(parties, webhook_server):
    do_set_contact("border", email="duty@border.example")
    contact = do_set_contact("recv", webhook_url=webhook_server)
    submit(parties)
    with clock.frozen_at(T + 60):
        assert worker.process_due() == 2
    assert mail.outbox[0].to == ["duty@border.example"] and "p1" in mail.outbox[0].subject
    signature, body = Receiver.received[0]
    expected = hmac.new(contact.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"
    assert json.loads(body)["plan"] == "p1"
    with clock.frozen_at(T + 120):
        assert worker.process_due() == 0  # nothing is sent twice
    with clock.frozen_at(T + 9 * 86400):
        assert worker.process_due() == 2  # expiry reminders to both, due a day before 20 Sep


def test_only_one_worker_wins_a_row(parties):
    do_set_contact("border", email="duty@border.example")
    submit(parties)
    message = Message.objects.filter(kind="awaited").first()
    assert worker.claim(message.pk, "worker-1")
    assert not worker.claim(message.pk, "worker-2")


def test_a_failing_webhook_is_retried_with_backoff_then_given_up(parties, webhook_server):
    do_set_contact("recv", webhook_url=webhook_server)
    Receiver.status = 500
    submit(parties)
    message = Message.objects.get(kind="awaited", party="recv")
    for attempt in range(1, worker.MAX_ATTEMPTS + 1):
        with clock.frozen_at(int(message.due_at.timestamp()) + 1):
            assert worker.process_due() == 0
        message.refresh_from_db()
        assert message.attempts == attempt and "HTTP Error 500" in message.last_error
    assert message.failed_at is not None
    assert worker.backoff(1) == timedelta(seconds=30) and worker.backoff(20) == timedelta(hours=1)


def test_expiry_reminders_are_rows_due_a_day_before(parties):
    do_set_contact("customs", email="customs@example.org")
    submit(parties)
    reminder = Message.objects.get(kind="expiry", party="customs")
    assert reminder.due_at.isoformat() == "2023-09-19T00:00:00+00:00"
