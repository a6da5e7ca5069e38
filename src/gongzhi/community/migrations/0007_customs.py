"""The customs room's changes after 0001: the registrations' timeline, and 海东市's default
caps (``customs.reference``; a village edits its own)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

CEREMONY_STATES = [
    ("registered", "Registered"),
    ("acknowledged", "Seen by the council (红白理事会)"),
    ("held", "Held"),
    ("cancelled", "Cancelled"),
]


def seed(apps, schema_editor):
    from gongzhi.community.customs.reference import seed as seed_rules

    seed_rules(apps.get_model("community", "CustomRule"), apps.get_model("regions", "Region"))


def unseed(apps, schema_editor):
    from gongzhi.community.customs.reference import CITY_CODE, DEFAULTS

    rules = apps.get_model("community", "CustomRule")
    rules.objects.filter(region__code=CITY_CODE, kind__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0006_points"),
        ("regions", "0002_bbox_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CeremonyEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="at"
                    ),
                ),
                ("action", models.CharField(max_length=30, verbose_name="action")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("data", models.JSONField(blank=True, default=dict, verbose_name="details")),
                (
                    "is_public",
                    models.BooleanField(default=True, verbose_name="shown to the reporter"),
                ),
                (
                    "effects_pending",
                    models.BooleanField(default=False, verbose_name="notices not yet sent"),
                ),
                (
                    "from_state",
                    models.CharField(
                        blank=True, choices=CEREMONY_STATES, max_length=12, verbose_name="from"
                    ),
                ),
                (
                    "to_state",
                    models.CharField(
                        blank=True, choices=CEREMONY_STATES, max_length=12, verbose_name="to"
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "ceremony",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="community.ceremony",
                        verbose_name="wedding or funeral",
                    ),
                ),
            ],
            options={
                "verbose_name": "ceremony timeline entry",
                "verbose_name_plural": "ceremony timeline",
                "ordering": ["at", "id"],
                "abstract": False,
                "indexes": [
                    models.Index(
                        condition=models.Q(("effects_pending", True)),
                        fields=["id"],
                        name="community_ceremony_pending",
                    )
                ],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]
