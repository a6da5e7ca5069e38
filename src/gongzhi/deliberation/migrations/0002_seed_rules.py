from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.deliberation.reference import seed as seed_rows

    seed_rows(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
