"""Precomputed public aggregates: the public page reads one row instead of scanning every plan.

Not a domain table: a cache of what `summaries` computes from the read models, refreshed by the worker
when the log has grown (and by the page itself when there is none yet)."""

from django.db import models


class PublicSummary(models.Model):
    derived_from_log = True

    id = models.IntegerField(primary_key=True, default=1)
    log_size = models.BigIntegerField()
    computed_at = models.DateTimeField()
    data = models.JSONField()

    class Meta:
        db_table = "public_summary"
