import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("command", "0003_early_warnings"),
        ("regions", "0002_bbox_labels"),
    ]

    operations = [
        migrations.CreateModel(
            name="MonthlyReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "month",
                    models.DateField(
                        help_text="The first day of the month reported.", verbose_name="month"
                    ),
                ),
                (
                    "pdf",
                    models.FileField(
                        blank=True, upload_to="command/reports/%Y/", verbose_name="PDF file"
                    ),
                ),
                (
                    "xlsx",
                    models.FileField(
                        blank=True, upload_to="command/reports/%Y/", verbose_name="Excel workbook"
                    ),
                ),
                ("figures", models.JSONField(blank=True, default=dict, verbose_name="figures")),
                ("created_at", models.DateTimeField(verbose_name="made at")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="monthly_reports",
                        to="regions.region",
                        verbose_name="region",
                    ),
                ),
            ],
            options={
                "verbose_name": "monthly report",
                "verbose_name_plural": "monthly reports",
                "ordering": ["-month", "region__path"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("month", "region"), name="command_report_month_region"
                    )
                ],
            },
        ),
    ]
