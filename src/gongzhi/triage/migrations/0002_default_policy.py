from django.db import migrations


def seed(apps, schema_editor):
    TriagePolicy = apps.get_model("triage", "TriagePolicy")
    TriagePolicy.objects.get_or_create(
        name="default", defaults={"confidence_threshold": 0.6, "duplicate_min_score": 0.5}
    )


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
