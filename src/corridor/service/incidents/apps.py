from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "corridor.service.incidents"
    default_auto_field = "django.db.models.BigAutoField"
