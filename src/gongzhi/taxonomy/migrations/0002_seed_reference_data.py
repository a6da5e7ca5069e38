"""Seed the SLA policies and the category taxonomy (idempotent: adds only what is missing)."""

from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.taxonomy.seed import seed as seed_reference_data

    seed_reference_data(apps.get_model("taxonomy", "Category"), apps.get_model("taxonomy", "SlaPolicy"))


class Migration(migrations.Migration):

    dependencies = [
        ("taxonomy", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
