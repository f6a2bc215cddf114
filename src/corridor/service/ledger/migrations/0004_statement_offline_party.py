"""Statements signed offline, by the party in whose name they were signed (offline_party, idx): the officer's
party's signatures page lists the relays that carry them, with the member whose passkey signed each.

Relays recorded before this migration have none until `corridor rebuild` fills them from the log."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0003_statement_subject_idx'),
    ]

    operations = [
        migrations.AddField(
            model_name='statementindex',
            name='offline_member',
            field=models.CharField(max_length=200, null=True),
        ),
        migrations.AddField(
            model_name='statementindex',
            name='offline_party',
            field=models.CharField(max_length=128, null=True),
        ),
        migrations.AddIndex(
            model_name='statementindex',
            index=models.Index(condition=models.Q(('offline_party__isnull', False)), fields=['offline_party', 'idx'], name='log_statement_offline_idx'),
        ),
    ]
