"""The outbox: notifications queued in the same transaction as the statement that caused them, sent after
commit by `corridor worker`. The table is the queue (claimed with a conditional UPDATE)."""

from django.db import models

CHANNELS = ["email", "webhook"]


class Message(models.Model):
    derived_from_log = False

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
