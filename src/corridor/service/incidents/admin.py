"""Incident claims and their disputes in the admin, read-only."""

from django.contrib import admin

from ..readonly_admin import ReadOnlyAdmin
from .models import Dispute, Incident


class DisputeInline(admin.TabularInline):
    model = Dispute
    fields = ("party", "text", "at")
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("id", "reporter", "category", "place", "occurred_from", "reported_at")
    list_filter = ("category",)
    inlines = [DisputeInline]
