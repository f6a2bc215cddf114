from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "corridor.service.parties"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .passkeys import connect_signals

        connect_signals()
