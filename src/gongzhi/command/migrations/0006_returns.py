"""The returns rollup (``ReturnDay``/``ReturnMonth``): returns charged to the unit that made
them. The days that already have returns are marked to recount (``StaleDay``), so the next
rollup tick counts them; nothing else has to be run."""

from datetime import date

from django.db import migrations, models
from django.utils import timezone

TOWNSHIP_PATH_LEN = 32  # cases.stats' (a migration keeps its own copy)


def mark_return_days(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    StaleDay = apps.get_model("command", "StaleDay")
    keys: set[tuple[date, str]] = set()
    rows = CaseEvent.objects.filter(action="return").values_list("at", "case__region_path")
    for at, path in rows.iterator():
        keys.add((timezone.localdate(at), (path or "")[:TOWNSHIP_PATH_LEN]))
    StaleDay.objects.bulk_create(
        [StaleDay(day=day, region_path=town) for day, town in keys],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("command", "0005_safety"),
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReturnDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day returned")),
                (
                    "region_path",
                    models.CharField(blank=True, max_length=64, verbose_name="township path"),
                ),
                ("unit", models.IntegerField(default=0, verbose_name="returning unit id")),
                ("grid", models.IntegerField(default=0, verbose_name="grid id")),
                (
                    "returned",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="returns"),
                ),
            ],
            options={
                "verbose_name": "daily returns",
                "verbose_name_plural": "daily returns",
                "indexes": [
                    models.Index(fields=["day", "region_path"], name="command_returnday_day_path")
                ],
            },
        ),
        migrations.CreateModel(
            name="ReturnMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day returned")),
                (
                    "region_path",
                    models.CharField(blank=True, max_length=64, verbose_name="township path"),
                ),
                ("unit", models.IntegerField(default=0, verbose_name="returning unit id")),
                ("grid", models.IntegerField(default=0, verbose_name="grid id")),
                (
                    "returned",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="returns"),
                ),
            ],
            options={
                "verbose_name": "monthly returns",
                "verbose_name_plural": "monthly returns",
                "indexes": [
                    models.Index(fields=["day", "region_path"], name="command_returnmonth_day_path")
                ],
            },
        ),
        migrations.RunPython(mark_return_days, migrations.RunPython.noop, elidable=True),
    ]
