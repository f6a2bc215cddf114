from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "corridor.service.parties"
    default_auto_field = "django.db.models.BigAutoField"
