"""The log's own tables, in the service's database so a statement and its read models commit together.

Table and column names are those of `corridor.ledger.store` (which integrates entries into tiles and
signed checkpoints); here Django's migrations own the schema.
"""

from django.db import models


class LogEntry(models.Model):
    derived_from_log = False

    idx = models.BigIntegerField(primary_key=True)
    data = models.BinaryField()
    leaf = models.BinaryField()

    class Meta:
        db_table = "entries"


# Entries (idx, data) in order from an index on, at most a limit: parameters [first index, limit]. A plain
# cursor's query, for the readers of the whole log's tail (catching the fold up, the rebuild's stream): the
# ORM's per-row work was ~1 s at 1M entries.
ENTRIES_FROM_SQL = f"SELECT idx, data FROM {LogEntry._meta.db_table} WHERE idx >= %s ORDER BY idx LIMIT %s"


class TreeState(models.Model):
    derived_from_log = False

    id = models.IntegerField(primary_key=True)
    size = models.BigIntegerField()
    root = models.BinaryField()

    class Meta:
        db_table = "tree"


class SignedCheckpoint(models.Model):
    derived_from_log = False

    size = models.BigIntegerField(primary_key=True)
    root = models.BinaryField()
    note = models.TextField()

    class Meta:
        db_table = "checkpoints"


SIGNED_BY = ["registrar", "custodial", "party", "passkey"]


class StatementIndex(models.Model):
    """Each entry's statement in columns, for timelines and lookups (a projection of `entries`).

    `signed_by` is how the entry was signed, from the log's key history (`ledger.keys.signing_kind`): by a
    registrar, by the server with a key it keeps for the party (custodial), by a key the party keeps itself,
    or by a member's passkey; `member` is that member's pseudonymous id (e.g. "border/m3"), for passkeys.

    An `offline.relay` is the operator's entry (signed_by "registrar"), carrying a statement a member's passkey
    signed offline in its party's name (docs/offline.md): `offline_party` is that party and `offline_member` that
    member, so the party's signatures page lists it; both null on any other entry. `offline_outcome` is what the
    rules made of the statement when the relay was recorded (the engine's OfflineRecord: signed, received, applied
    or the late.* code and why): the fold forgets it 72 hours later (engine/rules/offline.py), the pages do not."""

    derived_from_log = True

    idx = models.BigIntegerField(primary_key=True)
    type = models.CharField(max_length=40)
    party = models.CharField(max_length=128)
    seq = models.BigIntegerField()
    time = models.DateTimeField()
    plan = models.CharField(max_length=128, null=True)
    subject = models.CharField(max_length=128, null=True)
    signed_by = models.CharField(max_length=10, choices=[(k, k) for k in SIGNED_BY])
    member = models.CharField(max_length=200, null=True)
    offline_party = models.CharField(max_length=128, null=True)
    offline_member = models.CharField(max_length=200, null=True)
    offline_outcome = models.JSONField(null=True)

    class Meta:
        db_table = "log_statement"
        constraints = [models.UniqueConstraint(fields=["party", "seq"], name="one_statement_per_party_seq")]
        # a party's statements, and the operator's about it and its keys, newest first, a page at a time (the
        # signatures page's keyset on idx); the subject index also serves lookups by subject
        indexes = [models.Index(fields=["party", "idx"], name="log_statement_party_idx"),
                   models.Index(fields=["subject", "idx"], name="log_statement_subject_idx"),
                   # a plan's statements, a timeline's window at a time (passages/history.timeline_window)
                   models.Index(fields=["plan", "idx"], name="log_statement_plan_idx"),
                   # a plan's statements of some types (its versions and inspections, read whole by its page)
                   models.Index(fields=["plan", "type", "idx"], name="log_statement_plan_type_idx"),
                   # what was signed offline in a party's name, by the relays that carry it (few rows: partial)
                   models.Index(fields=["offline_party", "idx"], name="log_statement_offline_idx",
                                condition=models.Q(offline_party__isnull=False))]
