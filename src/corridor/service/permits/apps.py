from django.apps import AppConfig


class PermitsConfig(AppConfig):
    name = "corridor.service.permits"
    default_auto_field = "django.db.models.BigAutoField"
