"""What the rules made of a statement signed offline, kept on its relay's row (offline_outcome): the fold forgets
an offline id 72 hours after its relay (engine/rules/offline.py), the timeline and the API still show it.

Relays recorded before this migration have none until `corridor rebuild` fills them from the log; until then the
pages read them from the fold, as before, while it still has them."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0004_statement_offline_party'),
    ]

    operations = [
        migrations.AddField(
            model_name='statementindex',
            name='offline_outcome',
            field=models.JSONField(null=True),
        ),
    ]
