from django.db import migrations, models


def copy_actors(apps, schema_editor):
    """Write the acting user's name and id onto the rows already there."""
    AuditLog = apps.get_model("core", "AuditLog")
    rows = AuditLog.objects.filter(actor__isnull=False).select_related("actor")
    for row in rows.iterator(chunk_size=2000):
        row.actor_name, row.actor_ref = row.actor.username, str(row.actor_id)
        row.save(update_fields=["actor_name", "actor_ref"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_pushmessage"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditlog",
            name="actor_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="actor's user name"),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="actor_ref",
            field=models.CharField(
                blank=True, db_index=True, max_length=64, verbose_name="actor's id"
            ),
        ),
        migrations.RunPython(copy_actors, migrations.RunPython.noop, elidable=True),
    ]
