"""`corridor worker`: the database is the job queue. Each row is claimed with a conditional UPDATE (only
one worker wins a row, however many run), sent, then marked sent — or rescheduled with exponential backoff.
Webhooks are POSTs signed with HMAC-SHA256 of the body under the party's secret
(header `X-Corridor-Signature: sha256=<hex>`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import socket
import urllib.request
from datetime import timedelta

from django.core.mail import send_mail
from django.db.models import Q

from .. import clock
from ..parties.models import PartyContact
from ..passages.projection import at
from .emails import render as render_email
from .emails import still_awaited
from .models import Message

log = logging.getLogger("corridor.worker")
CLAIM_SECONDS = 120
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def _now():
    return at(clock.now())


def due_messages(limit: int = 50) -> list[int]:
    now = _now()
    ready = Q(sent_at__isnull=True, failed_at__isnull=True, due_at__lte=now)
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return list(Message.objects.filter(ready & free).order_by("due_at").values_list("id", flat=True)[:limit])


def claim(message_id: int, worker: str = WORKER_ID) -> bool:
    """Take a row if nobody holds it: the UPDATE's WHERE clause decides, so two workers never both win."""
    now = _now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return Message.objects.filter(free, pk=message_id, sent_at__isnull=True).update(
        claimed_by=worker, claimed_until=now + timedelta(seconds=CLAIM_SECONDS)) == 1


def process_due(limit: int = 50) -> int:
    sent = 0
    for message_id in due_messages(limit):
        if claim(message_id):
            sent += deliver(Message.objects.get(pk=message_id))
    return sent


def deliver(message: Message) -> int:
    contact = PartyContact.objects.filter(party_id=message.party).first()
    if not still_awaited(message):  # the party responded before its reminder fell due: nothing to remind
        Message.objects.filter(pk=message.pk).update(sent_at=_now(), claimed_until=None,
                                                     last_error="not sent: the party is no longer awaited")
        return 0
    try:
        if contact is None:
            raise RuntimeError(f"party {message.party} has no contact any more")
        _send(message, contact)
    except Exception as error:  # any failure to deliver is retried later; the reason is kept on the row
        _retry_later(message, error)
        return 0
    Message.objects.filter(pk=message.pk).update(sent_at=_now(), claimed_until=None, last_error="")
    return 1


def _send(message: Message, contact: PartyContact) -> None:
    if message.channel == "email":
        subject, text = render_email(message, contact)
        send_mail(subject, text, None, [contact.email])
    else:
        post_webhook(contact.webhook_url, contact.webhook_secret, message)


def post_webhook(url: str, secret: str, message: Message) -> None:
    body = json.dumps({"id": message.pk, "party": message.party, **message.body}, sort_keys=True).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Corridor-Signature": f"sha256={signature}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        if not 200 <= response.status < 300:
            raise RuntimeError(f"webhook answered {response.status}")


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_CAP_SECONDS))


def _retry_later(message: Message, error: Exception) -> None:
    attempts = message.attempts + 1
    now = _now()
    changes = {"attempts": attempts, "claimed_until": None, "last_error": f"{type(error).__name__}: {error}"[:2000],
               "due_at": now + backoff(attempts)}
    if attempts >= MAX_ATTEMPTS:
        changes["failed_at"] = now
    Message.objects.filter(pk=message.pk).update(**changes)
    log.warning("message %s to %s failed (attempt %s): %s", message.pk, message.party, attempts, error)
