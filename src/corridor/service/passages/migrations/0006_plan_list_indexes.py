# The API's plan lists (newest first, by status or requester) read a page off these in order.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('parties', '0002_passkeys'),
        ('passages', '0005_attested_weights_and_published_cells'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='plan',
            index=models.Index(fields=['-submitted_at', 'id'], name='plan_newest'),
        ),
        migrations.AddIndex(
            model_name='plan',
            index=models.Index(fields=['status', '-submitted_at', 'id'], name='plan_status_newest'),
        ),
        migrations.AddIndex(
            model_name='plan',
            index=models.Index(fields=['requester', '-submitted_at', 'id'], name='plan_requester_newest'),
        ),
    ]
