"""The command centre's own steps in the rollups (acceptance and dispatch deadlines decided
and met: 按时受理率, 按时派遣率) and the calls answered directly (直接答复). Every day that
has rows is marked to recount (``StaleDay``), so the next rollup tick fills the new columns;
nothing else has to be run."""

from django.db import migrations, models


def mark_every_day(apps, schema_editor):
    TownDay = apps.get_model("command", "TownDay")
    StaleDay = apps.get_model("command", "StaleDay")
    keys = TownDay.objects.values_list("day", "region_path").distinct()
    StaleDay.objects.bulk_create(
        [StaleDay(day=day, region_path=town) for day, town in keys.iterator()],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("command", "0006_returns"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseday",
            name="accept_base",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="acceptance deadlines decided"
            ),
        ),
        migrations.AddField(
            model_name="caseday",
            name="accepted_in_time",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="accepted in time"
            ),
        ),
        migrations.AddField(
            model_name="caseday",
            name="answered",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="answered directly"
            ),
        ),
        migrations.AddField(
            model_name="caseday",
            name="dispatch_base",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="dispatch deadlines decided"
            ),
        ),
        migrations.AddField(
            model_name="caseday",
            name="dispatched_in_time",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="dispatched in time"
            ),
        ),
        migrations.AddField(
            model_name="casemonth",
            name="accept_base",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="acceptance deadlines decided"
            ),
        ),
        migrations.AddField(
            model_name="casemonth",
            name="accepted_in_time",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="accepted in time"
            ),
        ),
        migrations.AddField(
            model_name="casemonth",
            name="answered",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="answered directly"
            ),
        ),
        migrations.AddField(
            model_name="casemonth",
            name="dispatch_base",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="dispatch deadlines decided"
            ),
        ),
        migrations.AddField(
            model_name="casemonth",
            name="dispatched_in_time",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="dispatched in time"
            ),
        ),
        migrations.AddField(
            model_name="gridday",
            name="accept_base",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="acceptance deadlines decided"
            ),
        ),
        migrations.AddField(
            model_name="gridday",
            name="accepted_in_time",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="accepted in time"
            ),
        ),
        migrations.AddField(
            model_name="gridday",
            name="answered",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="answered directly"
            ),
        ),
        migrations.AddField(
            model_name="gridday",
            name="dispatch_base",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="dispatch deadlines decided"
            ),
        ),
        migrations.AddField(
            model_name="gridday",
            name="dispatched_in_time",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="dispatched in time"
            ),
        ),
        migrations.AddField(
            model_name="gridmonth",
            name="accept_base",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="acceptance deadlines decided"
            ),
        ),
        migrations.AddField(
            model_name="gridmonth",
            name="accepted_in_time",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="accepted in time"
            ),
        ),
        migrations.AddField(
            model_name="gridmonth",
            name="answered",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="answered directly"
            ),
        ),
        migrations.AddField(
            model_name="gridmonth",
            name="dispatch_base",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="dispatch deadlines decided"
            ),
        ),
        migrations.AddField(
            model_name="gridmonth",
            name="dispatched_in_time",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="dispatched in time"
            ),
        ),
        migrations.AddField(
            model_name="townday",
            name="accept_base",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="acceptance deadlines decided"
            ),
        ),
        migrations.AddField(
            model_name="townday",
            name="accepted_in_time",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="accepted in time"
            ),
        ),
        migrations.AddField(
            model_name="townday",
            name="answered",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="answered directly"
            ),
        ),
        migrations.AddField(
            model_name="townday",
            name="dispatch_base",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="dispatch deadlines decided"
            ),
        ),
        migrations.AddField(
            model_name="townday",
            name="dispatched_in_time",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="dispatched in time"
            ),
        ),
        migrations.AddField(
            model_name="townmonth",
            name="accept_base",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="acceptance deadlines decided"
            ),
        ),
        migrations.AddField(
            model_name="townmonth",
            name="accepted_in_time",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="accepted in time"
            ),
        ),
        migrations.AddField(
            model_name="townmonth",
            name="answered",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="answered directly"
            ),
        ),
        migrations.AddField(
            model_name="townmonth",
            name="dispatch_base",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="dispatch deadlines decided"
            ),
        ),
        migrations.AddField(
            model_name="townmonth",
            name="dispatched_in_time",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="dispatched in time"
            ),
        ),
        migrations.RunPython(mark_every_day, migrations.RunPython.noop),
    ]
