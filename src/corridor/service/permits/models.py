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
    revoked_index = models.BigIntegerField(null=True, db_index=True)  # where permit.revoke stands, once revoked
    reason = models.CharField(max_length=20, default="")

    class Meta:
        db_table = "issued_permit"
        constraints = [models.UniqueConstraint(fields=["plan_id", "permit_id"], name="issued_permit_once")]
