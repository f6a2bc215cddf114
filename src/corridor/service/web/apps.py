from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "corridor.service.web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import throttle  # noqa: F401 -- connects the lockout log
