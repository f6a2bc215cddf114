"""The statements about a party by log index (subject, idx): the operator's registrations and revocations
of the party's keys, on the page where its admins watch its signatures.

A key.revoke's subject is now the revoked key's party; rows written before this migration have none until
`corridor rebuild` fills it from the log."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0002_statement_signed_by"),
    ]

    operations = [
        migrations.AlterField(
            model_name="statementindex",
            name="subject",
            field=models.CharField(max_length=128, null=True),
        ),
        migrations.AddIndex(
            model_name="statementindex",
            index=models.Index(fields=["subject", "idx"], name="log_statement_subject_idx"),
        ),
    ]
