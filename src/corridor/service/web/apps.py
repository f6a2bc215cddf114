from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "corridor.service.web"
    default_auto_field = "django.db.models.BigAutoField"
