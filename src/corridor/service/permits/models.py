"""Private: the signed permits the service issued. The log holds only each one's digest; the permit itself
(plate, window) is for the plan's parties and the driver who carries it."""

from django.db import models


class IssuedPermit(models.Model):
    derived_from_log = False  # the signed bytes are not on the log: a rebuild of the read models keeps them

    plan_id = models.CharField(max_length=128)
    permit_id = models.CharField(max_length=128)
    leg_id = models.CharField(max_length=128)
    vehicle_id = models.CharField(max_length=128)
    digest = models.CharField(max_length=64, unique=True)
    signed = models.BinaryField()  # the COSE_Sign1 bytes; `corridor.permits.qr.to_text` makes the QR text
    log_index = models.BigIntegerField()  # where permit.issue stands on the log
    revoked_index = models.BigIntegerField(null=True)  # where permit.revoke stands, once revoked
    reason = models.CharField(max_length=20, default="")
    valid_until = models.DateTimeField()  # the window's end plus the tolerance: after it, a device refuses it

    class Meta:
        db_table = "issued_permit"
        constraints = [models.UniqueConstraint(fields=["plan_id", "permit_id"], name="issued_permit_once")]
        # the revocation list (permits/revocation.py): the revoked permits still valid, by their end alone
        indexes = [models.Index(fields=["valid_until"], condition=models.Q(revoked_index__isnull=False),
                                name="issued_permit_revoked_until")]


class PermitCheckpoint(models.Model):
    """Private, beside each issued permit: a checkpoint it may be shown at, and from when until when (its window
    give or take the plan's tolerance, as the officer's device checks it). What the checkpoint app reads the
    permits due at its checkpoints by (one index range each), rather than decoding every permit ever issued.
    Written with the permit and, like it, kept across a rebuild (the signed permit is not on the log)."""

    derived_from_log = False

    permit = models.ForeignKey(IssuedPermit, on_delete=models.CASCADE, related_name="checkpoints")
    checkpoint = models.CharField(max_length=128)
    valid_from = models.DateTimeField()  # the window's start minus the tolerance
    valid_until = models.DateTimeField()  # its end plus the tolerance

    class Meta:
        db_table = "permit_checkpoint"
        constraints = [models.UniqueConstraint(fields=["permit", "checkpoint"], name="permit_checkpoint_once")]
        indexes = [models.Index(fields=["checkpoint", "valid_until"], name="permit_checkpoint_due")]
