import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("command", "0004_reports"),
        ("regions", "0002_bbox_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicSafetyFigure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "month",
                    models.DateField(help_text="The month's first day.", verbose_name="month"),
                ),
                (
                    "region_path",
                    models.CharField(
                        db_index=True, editable=False, max_length=255, verbose_name="region path"
                    ),
                ),
                ("criminal", models.PositiveIntegerField(verbose_name="criminal cases")),
                ("public_order", models.PositiveIntegerField(verbose_name="public-order cases")),
                (
                    "fraud",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="telecom fraud cases"
                    ),
                ),
                (
                    "theft",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="theft cases"),
                ),
                (
                    "source_name",
                    models.CharField(blank=True, max_length=200, verbose_name="source file"),
                ),
                ("imported_at", models.DateTimeField(verbose_name="imported at")),
                (
                    "imported_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="imported by",
                    ),
                ),
                (
                    "township",
                    models.ForeignKey(
                        limit_choices_to={"level": "township"},
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.region",
                        verbose_name="township",
                    ),
                ),
            ],
            options={
                "verbose_name": "public-safety figure",
                "verbose_name_plural": "public-safety figures",
                "ordering": ["month", "region_path"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("month", "township"), name="command_safety_month_town"
                    )
                ],
            },
        ),
    ]
