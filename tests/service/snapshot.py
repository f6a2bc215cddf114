"""Row counts of every table the service writes, and the log's size: what a refusal must leave unchanged."""

from __future__ import annotations

from django.apps import apps

from corridor.service.ledger.models import LogEntry

SERVICE_APPS = ("ledger", "parties", "passages", "incidents", "outbox")


def counts() -> dict[str, int]:
    models = [m for label in SERVICE_APPS for m in apps.get_app_config(label).get_models()]
    return {m._meta.db_table: m.objects.count() for m in models} | {"log size": LogEntry.objects.count()}
