from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "corridor.service.documents"
    default_auto_field = "django.db.models.BigAutoField"
