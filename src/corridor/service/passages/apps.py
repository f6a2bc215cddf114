from django.apps import AppConfig


class PassagesConfig(AppConfig):
    name = "corridor.service.passages"
    default_auto_field = "django.db.models.BigAutoField"
