"""The Django admin for operators: parties, routes, keys, users and memberships.

Parties, routes and keys are projections of the log, so the admin never saves them itself: a save becomes
the operator's signed statement through `record()`, and the row is what the log then says."""

from __future__ import annotations

import base64

import msgspec
from django import forms
from django.contrib import admin, messages

from ...engine.model import Route as RouteRecord
from ..ledger.record import Refused
from .custody import register_key
from .models import ApiToken, Membership, Party, PartyContact, PartyKey, Route
from .operations import do_define_route, do_register_party


class RecordingAdmin(admin.ModelAdmin):
    """Saves become signed statements; deletes are not possible (the log keeps everything)."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        try:
            self.record(obj, form, change)
        except Refused as error:
            request._corridor_not_recorded = True
            self.message_user(request, f"Not recorded: [{error.code}] {error.message}", messages.ERROR)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs) -> None:
        """After a refused save the admin would still say it "was changed successfully": nothing was."""
        if level == messages.SUCCESS and getattr(request, "_corridor_not_recorded", False):
            return
        super().message_user(request, message, level, *args, **kwargs)


@admin.register(Party)
class PartyAdmin(RecordingAdmin):
    list_display = ("id", "name", "kind", "registered_at")
    fields = ("id", "name", "kind")

    def get_readonly_fields(self, request, obj=None):
        return ("id", "kind") if obj else ()

    def record(self, obj, form, change) -> None:
        if change:
            from ..ledger.keys import OPERATOR
            from ..ledger.record import record_as

            record_as(OPERATOR, "party.register", {"id": obj.id, "name": obj.name, "kind": obj.kind})
        else:
            do_register_party(obj.id, obj.name, obj.kind)


class RouteForm(forms.ModelForm):
    checkpoints = forms.JSONField(help_text='[{"id": "gate", "name": "Gate", "inspected_by": ["border"], '
                                            '"lat": "39.5083", "lon": "46.5425", "tz": "Asia/Baku"}, ...] — tz: the '
                                            "IANA time zone the crossing's times are shown in")
    policy = forms.JSONField(help_text='[{"party": "border", "capacity": "border_control"}, ...] — capacities: '
                                       "border_control, customs, transit, receiving_security, escort")

    class Meta:
        model = Route
        fields = ("id", "name")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["checkpoints"].initial = self.instance.definition.get("checkpoints")
            self.fields["policy"].initial = self.instance.definition.get("policy")

    def clean(self):
        data = super().clean()
        try:
            msgspec.convert({k: data.get(k) for k in ("id", "name", "checkpoints", "policy")}, RouteRecord)
        except msgspec.ValidationError as error:
            raise forms.ValidationError(f"not a valid route: {error}") from None
        unknown = [c["tz"] for c in data.get("checkpoints") or [] if isinstance(c, dict) and c.get("tz")
                   and not _known_zone(c["tz"])]
        if unknown:  # the engine checks a zone's shape only; the operator is told here of a zone no one knows
            raise forms.ValidationError(f"unknown IANA time zone: {', '.join(unknown)}")
        return data


def _known_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@admin.register(Route)
class RouteAdmin(RecordingAdmin):
    form = RouteForm
    list_display = ("id", "name", "defined_at")

    def record(self, obj, form, change) -> None:
        data = form.cleaned_data
        do_define_route({"id": obj.id, "name": obj.name, "checkpoints": data["checkpoints"],
                         "policy": data["policy"]})


class KeyForm(forms.ModelForm):
    public_b64 = forms.CharField(label="Public key (base64, 32 bytes)")

    class Meta:
        model = PartyKey
        fields = ("party",)


@admin.register(PartyKey)
class PartyKeyAdmin(RecordingAdmin):
    """Registering a key a party keeps itself; custodial keys come with `corridor createparty`."""

    form = KeyForm
    list_display = ("key_id", "party", "registered_at", "revoked_at", "custodial")

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None

    @admin.display(boolean=True)
    def custodial(self, obj) -> bool:
        return obj.sealed_private is not None

    def record(self, obj, form, change) -> None:
        from ..ledger.record import record_built

        public = base64.b64decode(form.cleaned_data["public_b64"])
        record_built([register_key(obj.party_id, public, custodial_key=False)])  # the party keeps the private half


admin.site.register(PartyContact)
admin.site.register(Membership, list_display=("user", "party", "role"))
admin.site.register(ApiToken, list_display=("user", "label", "created", "last_used"), exclude=("digest",))
