"""The files the service holds for plans' notes. Not derived from the log: the log says which documents a
plan has (a `plan.note` carries each one's SHA-256, kind and title); this table says which of them the
service holds, where the bytes are and what they are. A rebuild of the read models leaves it as it is."""

from django.conf import settings
from django.db import models


class Document(models.Model):
    """One file held for one plan, by its content's SHA-256 (the bytes live once on disk, see storage.py)."""

    derived_from_log = False

    plan_id = models.CharField(max_length=128)
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, help_text="what the bytes are: pdf, png or jpeg (from the content)")
    size = models.BigIntegerField()
    filename = models.CharField(max_length=255, help_text="the name it was uploaded under, for people only")
    party = models.CharField(max_length=128, help_text="the party it was uploaded for")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        db_table = "plan_document"
        constraints = [models.UniqueConstraint(fields=["plan_id", "sha256"], name="plan_document_once")]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.filename} ({self.sha256[:12]}…)"
