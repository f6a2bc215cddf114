"""Each claim's number of disputes, kept on its row: the incidents page and API show a claim's latest disputes
and this count, never reading them all. Claims already recorded are counted once here."""

from django.db import migrations, models
from django.db.models import Count


def count_disputes(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    for incident_id, count in Incident.objects.annotate(n=Count("disputes")).filter(n__gt=0).values_list("id", "n"):
        Incident.objects.filter(id=incident_id).update(dispute_count=count)


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='incident',
            name='dispute_count',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name='dispute',
            index=models.Index(fields=['incident', 'id'], name='incident_dispute_order'),
        ),
        migrations.RunPython(count_disputes, migrations.RunPython.noop),
    ]
