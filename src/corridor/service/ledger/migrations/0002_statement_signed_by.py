"""How each statement was signed (`signed_by`, `member`), and a party's statements by log index.

Rows written before this migration get an empty `signed_by`; `corridor rebuild` fills it from the log."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="statementindex",
            name="signed_by",
            field=models.CharField(choices=[("registrar", "registrar"), ("custodial", "custodial"),
                                            ("party", "party"), ("passkey", "passkey")],
                                   default="", max_length=10),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="statementindex",
            name="member",
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AlterField(
            model_name="statementindex",
            name="party",
            field=models.CharField(max_length=128),
        ),
        migrations.AddIndex(
            model_name="statementindex",
            index=models.Index(fields=["party", "idx"], name="log_statement_party_idx"),
        ),
    ]
