"""A plan's statements by (plan, idx): a timeline is read a window at a time, newest first, whatever the plan's
length (passages/history.timeline_window). The index on plan alone is replaced by it (it serves the same lookups).
And by (plan, type, idx): the plan page reads every version and inspection of a plan, not its notes."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0005_statement_offline_outcome'),
    ]

    operations = [
        migrations.AlterField(
            model_name='statementindex',
            name='plan',
            field=models.CharField(max_length=128, null=True),
        ),
        migrations.AddIndex(
            model_name='statementindex',
            index=models.Index(fields=['plan', 'idx'], name='log_statement_plan_idx'),
        ),
        migrations.AddIndex(
            model_name='statementindex',
            index=models.Index(fields=['plan', 'type', 'idx'], name='log_statement_plan_type_idx'),
        ),
    ]
