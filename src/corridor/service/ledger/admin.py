"""The log's statements in the admin, read-only (the log itself is public at /log/)."""

from django.contrib import admin

from ..readonly_admin import ReadOnlyAdmin
from .models import StatementIndex


@admin.register(StatementIndex)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("idx", "type", "party", "seq", "time", "plan", "subject", "signed_by", "member")
    list_filter = ("type", "signed_by")
    search_fields = ("plan", "party", "subject")
