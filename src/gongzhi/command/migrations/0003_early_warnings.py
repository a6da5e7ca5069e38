import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("command", "0002_assessment"),
        ("cases", "0007_channel_video"),
        ("regions", "0002_bbox_labels"),
        ("taxonomy", "0004_category_is_public"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EarlyWarningRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(unique=True, verbose_name="day tested")),
                (
                    "started_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="started at"
                    ),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                ("result", models.JSONField(blank=True, default=dict, verbose_name="result")),
            ],
            options={
                "verbose_name": "early-warning run",
                "verbose_name_plural": "early-warning runs",
                "ordering": ["-day"],
            },
        ),
        migrations.CreateModel(
            name="EarlyWarning",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="last day of the week")),
                ("count", models.PositiveIntegerField(verbose_name="reports in the week")),
                ("expected", models.FloatField(verbose_name="usual weekly mean")),
                ("expected_low", models.PositiveIntegerField(verbose_name="usually at least")),
                ("expected_high", models.PositiveIntegerField(verbose_name="usually at most")),
                (
                    "threshold",
                    models.PositiveIntegerField(verbose_name="highest count still usual"),
                ),
                ("p_value", models.FloatField(verbose_name="p-value")),
                ("dispersion", models.FloatField(verbose_name="over-dispersion")),
                ("history", models.PositiveSmallIntegerField(verbose_name="weeks of history used")),
                (
                    "series",
                    models.JSONField(blank=True, default=dict, verbose_name="weekly series"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("dismissed", "Dismissed"),
                            ("tasked", "Turned into a supervised task"),
                        ],
                        db_index=True,
                        default="open",
                        max_length=12,
                        verbose_name="state",
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                (
                    "reason",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="reason for dismissing"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created at"
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="cases.case",
                        verbose_name="task case",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="taxonomy.category",
                        verbose_name="category",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "township",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.region",
                        verbose_name="township",
                    ),
                ),
            ],
            options={
                "verbose_name": "early warning",
                "verbose_name_plural": "early warnings",
                "ordering": ["-day", "p_value", "-id"],
                "indexes": [
                    models.Index(fields=["state", "-day"], name="command_warning_state_day")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("township", "category", "day"), name="command_one_warning_a_day"
                    )
                ],
            },
        ),
    ]
