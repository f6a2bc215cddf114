# Written by hand after Django 5.2.19's AddField/AlterField/AddIndex: the column is filled before it is required

from datetime import UTC, datetime

from django.db import migrations, models

from corridor.permits import cose, document


def fill(apps, schema_editor):
    """The end of the permits issued before this column: read from each one's signed bytes, as `store_permit`
    writes it from the permit it signs (issuing.valid_until)."""
    IssuedPermit = apps.get_model("permits", "IssuedPermit")
    rows = []
    for row in IssuedPermit.objects.only("pk", "signed").iterator(chunk_size=2000):
        permit = document.decode(cose.decode_sign1(bytes(row.signed)).payload)
        row.valid_until = datetime.fromtimestamp(permit.end + permit.tolerance, UTC)
        rows.append(row)
        if len(rows) >= 2000:  # a batch at a time, as 0002's fill
            IssuedPermit.objects.bulk_update(rows, ["valid_until"])
            rows = []
    IssuedPermit.objects.bulk_update(rows, ["valid_until"])


class Migration(migrations.Migration):

    dependencies = [
        ('permits', '0002_permit_checkpoints'),
    ]

    operations = [
        migrations.AlterField(  # its only reader was the revocation list, which now reads the index below
            model_name='issuedpermit',
            name='revoked_index',
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='issuedpermit',
            name='valid_until',
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='issuedpermit',
            name='valid_until',
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name='issuedpermit',
            index=models.Index(condition=models.Q(('revoked_index__isnull', False)), fields=['valid_until'], name='issued_permit_revoked_until'),
        ),
    ]
