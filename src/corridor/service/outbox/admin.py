"""The outbox in the admin, read-only: what was sent, what is due, what failed and why."""

from django.contrib import admin

from ..readonly_admin import ReadOnlyAdmin
from .models import Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "channel", "party", "kind", "due_at", "attempts", "sent_at", "failed_at")
    list_filter = ("channel", "kind")
    readonly_fields = ("last_error",)
