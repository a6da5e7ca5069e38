"""The video patrol channel (a duty officer confirms what a camera's rule saw), and its
policy: accepted and dispatched at once, like a grid worker's report, since the officer
has seen it on the screen. Editable in the admin like the others."""

from django.db import migrations, models


def seed(apps, schema_editor):
    ChannelPolicy = apps.get_model("cases", "ChannelPolicy")
    ChannelPolicy.objects.get_or_create(
        channel="video", defaults={"auto_accept": True, "auto_dispatch": True}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_event_effects_pending"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="channel",
            field=models.CharField(
                choices=[
                    ("quick_report", "Quick report (photo)"),
                    ("grid_worker", "Grid worker patrol"),
                    ("hotline", "12345 hotline"),
                    ("open311", "Open311 client"),
                    ("api", "Platform API"),
                    ("sensor", "Camera or sensor alert"),
                    ("video", "Video patrol"),
                ],
                max_length=20,
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="channelpolicy",
            name="channel",
            field=models.CharField(
                choices=[
                    ("quick_report", "Quick report (photo)"),
                    ("grid_worker", "Grid worker patrol"),
                    ("hotline", "12345 hotline"),
                    ("open311", "Open311 client"),
                    ("api", "Platform API"),
                    ("sensor", "Camera or sensor alert"),
                    ("video", "Video patrol"),
                ],
                max_length=20,
                unique=True,
                verbose_name="channel",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
