"""Passages in the admin, read-only: plans with their legs, positions and clocks; attested passages."""

from django.contrib import admin

from ..readonly_admin import ReadOnlyAdmin
from .models import Attestation, Clock, Leg, Plan, Position


class LegInline(admin.TabularInline):
    model = Leg
    fields = ("leg_id", "route", "phase", "checkpoint", "departed_at", "delivered_at", "weight_kg")
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PositionInline(LegInline):
    model = Position
    fields = ("party", "capacities", "stance", "at", "reason", "text")


class ClockInline(LegInline):
    model = Clock
    fields = ("party", "waited_seconds", "waiting_since")


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("id", "requester", "linkage", "status", "submitted_at", "closed_at")
    list_filter = ("status", "linkage")
    search_fields = ("id",)
    inlines = [LegInline, PositionInline, ClockInline]


@admin.register(Attestation)
class AttestationAdmin(ReadOnlyAdmin):
    list_display = ("passage", "dataset", "crossing", "carrier", "departed", "received", "weight_kg")
    list_filter = ("dataset", "crossing")
    search_fields = ("passage", "carrier", "reference")
