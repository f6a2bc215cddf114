"""The outbox: notifications queued in the same transaction as the statement that caused them, sent after
commit by `corridor worker`. The table is the queue (claimed with a conditional UPDATE)."""

from django.db import models

CHANNELS = ["email", "webhook"]


class Message(models.Model):
    derived_from_log = False
    ids_read_back = False  # queued with the statements that make them: nothing reads their ids (ledger/record.py)

    channel = models.CharField(max_length=10, choices=[(c, c) for c in CHANNELS])
    party = models.CharField(max_length=128, db_index=True)
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=400)
    body = models.JSONField()
    due_at = models.DateTimeField(db_index=True)
    attempts = models.IntegerField(default=0)
    claimed_by = models.CharField(max_length=100, null=True)
    claimed_until = models.DateTimeField(null=True)
    sent_at = models.DateTimeField(null=True, db_index=True)
    failed_at = models.DateTimeField(null=True)
    last_error = models.TextField(blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, unique=True)

    class Meta:
        db_table = "outbox_message"


class ResponseDeadline(models.Model):
    """How long a plan's requester asks each awaited party to take to respond, counted from the moment the
    party is awaited (anew at each step: consent, slot, inspection). The worker reminds a party still awaited
    when three quarters of the time have passed, and tells it when the time is over.

    A service setting, not a statement: it is a courtesy the requester asks, not something the parties agree
    to, so it is not part of the plan's content — versions and the consents given to them are untouched, and
    it can be changed at any time without anyone consenting again."""

    derived_from_log = False

    plan_id = models.CharField(max_length=128, primary_key=True)
    hours = models.PositiveIntegerField()
    set_by = models.CharField(max_length=128)  # the requester party (and the user below, for the record)
    set_by_user = models.CharField(max_length=150)
    set_at = models.DateTimeField()

    class Meta:
        db_table = "response_deadline"
