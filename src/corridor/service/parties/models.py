"""Parties and their keys (projections of the log), and the people who act for them (service accounts)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models

KINDS = ["humanitarian", "authority", "escort", "observer", "operator", "source"]
ROLES = ["viewer", "officer", "admin"]


class Party(models.Model):
    """Projection of `party.register` statements."""

    derived_from_log = True

    id = models.CharField(max_length=128, primary_key=True)
    name = models.CharField(max_length=4000)
    kind = models.CharField(max_length=20, choices=[(k, k) for k in KINDS])
    registered_at = models.DateTimeField()

    class Meta:
        db_table = "party"
        verbose_name_plural = "parties"

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class Route(models.Model):
    """Projection of `route.define`: the route as the engine knows it, with its policy."""

    derived_from_log = True

    id = models.CharField(max_length=128, primary_key=True)
    name = models.CharField(max_length=4000)
    definition = models.JSONField()
    defined_at = models.DateTimeField()

    class Meta:
        db_table = "route"

    def __str__(self) -> str:
        return self.name


class PartyKey(models.Model):
    """A party's registered public key; `sealed_private` holds the custodial private key, encrypted."""

    derived_from_log = True
    kept_across_rebuild = ("sealed_private",)  # not on the log: carried over by primary key

    key_id = models.CharField(max_length=64, primary_key=True)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="keys")
    public = models.BinaryField()
    registered_at = models.BigIntegerField(help_text="log index of the registration")
    revoked_at = models.BigIntegerField(null=True, blank=True)
    sealed_private = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "party_key"


class PartyContact(models.Model):
    """Where a party is told it is awaited: email and a webhook (configuration, not part of the log)."""

    derived_from_log = False

    party = models.OneToOneField(Party, on_delete=models.CASCADE, primary_key=True, related_name="contact")
    email = models.EmailField(blank=True)
    webhook_url = models.URLField(blank=True)
    webhook_secret = models.CharField(max_length=128, blank=True)
    # the language its emails are written in (outbox/emails.py): a party reads its notices in its own
    language = models.CharField(max_length=8, default="en", choices=settings.LANGUAGES)


class Membership(models.Model):
    derived_from_log = False

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=10, choices=[(r, r) for r in ROLES], default="viewer")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "party"], name="one_role_per_party")]


class ApiToken(models.Model):
    """An API token; only its SHA-256 is stored (the token itself is shown once)."""

    derived_from_log = False

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class Passkey(models.Model):
    """A member's passkey as registered from the account page: its public half only (the private key never
    leaves the officer's device). It signs nothing until a `key.bind` statement on the log binds it to the
    party under the pseudonymous `member` id; whether it is bound or revoked is read from the log's key
    history, never from this table."""

    derived_from_log = False

    key_id = models.CharField(max_length=64, primary_key=True, help_text="passkey:<16 bytes of SHA-256(credential id)>")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="passkeys")
    member = models.CharField(max_length=200, help_text="pseudonymous member id on the public log, e.g. border/m3")
    credential_id = models.BinaryField()
    public_key = models.BinaryField(help_text="COSE_Key bytes")
    device = models.CharField(max_length=100, blank=True, help_text="a name the officer gave the device")
    created = models.DateTimeField(auto_now_add=True)

    @property
    def fingerprint(self) -> str:
        """What an admin reads out to the officer before binding (both pages show it): the key id's first
        12 hex digits, in groups of four."""
        digits = self.key_id.split(":", 1)[-1][:12]
        return " ".join(digits[i:i + 4] for i in range(0, 12, 4))
