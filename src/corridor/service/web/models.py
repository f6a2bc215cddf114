"""Precomputed public aggregates: the public page reads one row instead of scanning every plan.

Not a domain table: a cache of what `summaries` computes from the read models, refreshed by the worker
when the log has grown (and by the page itself when there is none yet)."""

from django.conf import settings
from django.db import models


class PublicSummary(models.Model):
    derived_from_log = True

    id = models.IntegerField(primary_key=True, default=1)
    log_size = models.BigIntegerField()
    computed_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        db_table = "public_summary"


class PendingSignature(models.Model):
    """A statement built for a member to sign with a passkey, between "you are about to sign" and the
    signature coming back: single use, for the user it was built for, for a few minutes. Its `private` part
    holds the clear values (window, plates, crew) the statement commits to, as record() needs them."""

    derived_from_log = False

    token = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    statement = models.TextField(help_text="the canonical JSON shown and signed, kept byte for byte")
    private = models.JSONField()
    rendered_version = models.CharField(max_length=64, null=True)  # the plan version the form showed, if it matters
    back = models.CharField(max_length=500)
    created = models.DateTimeField()

    class Meta:
        db_table = "pending_signature"


class CalendarFeed(models.Model):
    """A user's private calendar address (web/calendar.py): only the SHA-256 of its secret is kept, so the
    address is shown once, when made; making a new one or revoking ends the old. It reads, at each fetch, the
    confirmed slots of the parties the user is a member of then (a member who leaves stops seeing them)."""

    derived_from_log = False

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    digest = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=16)  # the page's language when it was made: calendars send none
    created = models.DateTimeField()

    class Meta:
        db_table = "calendar_feed"
