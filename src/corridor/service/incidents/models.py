"""Incident claims and disputes: projections of `incident.report` / `incident.dispute`, side by side."""

from django.db import models

from ..parties.models import Party


class Incident(models.Model):
    derived_from_log = True

    id = models.CharField(max_length=128, primary_key=True)
    reporter = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="incidents")
    category = models.CharField(max_length=40)
    place = models.CharField(max_length=4000)
    lat = models.CharField(max_length=20, null=True)
    lon = models.CharField(max_length=20, null=True)
    occurred_from = models.DateTimeField()
    occurred_to = models.DateTimeField(null=True)
    plan = models.CharField(max_length=128, null=True)
    route = models.CharField(max_length=128, null=True)
    text = models.TextField()
    reported_at = models.DateTimeField()
    # how many disputes the claim has: lists show the latest few and this count, never reading them all
    dispute_count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "incident"
        # the lists' order, newest first (exports/tables.incidents_query), whole and by each filter of
        # GET /api/v1/incidents: a page is read off one of these from its cursor, never by sorting every claim
        # that matches (they also serve lookups by category, reporter or plan)
        indexes = [models.Index(fields=["-reported_at", "id"], name="incident_newest"),
                   models.Index(fields=["category", "-reported_at", "id"], name="incident_category_newest"),
                   models.Index(fields=["reporter", "-reported_at", "id"], name="incident_reporter_newest"),
                   models.Index(fields=["plan", "-reported_at", "id"], name="incident_plan_newest")]


class Dispute(models.Model):
    derived_from_log = True

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="disputes")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="disputes")
    text = models.TextField()
    at = models.DateTimeField()

    class Meta:
        db_table = "incident_dispute"
        # a claim's disputes in log order, a page at a time, and its latest few (exports/tables.incidents_query)
        indexes = [models.Index(fields=["incident", "id"], name="incident_dispute_order")]
