from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "corridor.service.outbox"
    default_auto_field = "django.db.models.BigAutoField"
