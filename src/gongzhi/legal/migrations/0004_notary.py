# The notary room: matters (seeded), offices, slots and bookings.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def seed_matters(apps, schema_editor):
    from gongzhi.legal.notary.matters import seed

    seed(apps.get_model("legal", "NotaryMatter"))


class Migration(migrations.Migration):
    dependencies = [
        ("legal", "0003_advice"),
        ("accounts", "0005_legal_kinds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NotaryMatter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=60, verbose_name="name")),
                ("enabled", models.BooleanField(default=True, verbose_name="enabled")),
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
                (
                    "colour",
                    models.CharField(default="#6b7280", max_length=9, verbose_name="colour"),
                ),
                ("summary", models.CharField(blank=True, max_length=200, verbose_name="summary")),
                (
                    "questions",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='A list of {"key", "text", "choices": [{"value", "label"}]} or {"key", "text", "type": "amount", "min", "max"}; "when": {"key": ["value", ...]} asks it only then.',
                        verbose_name="questions",
                    ),
                ),
                (
                    "documents",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='A list of {"text", "when": {"key": ["value", ...]}}; no "when": always.',
                        verbose_name="documents",
                    ),
                ),
                (
                    "fee",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text='{"fixed": yuan, "add": [{"when", "amount", "label"}], "per": {"on", "amount", "beyond"}, "bands": {"on", "minimum", "rates": [[up to, rate], ...]}, "note"}',
                        verbose_name="fee",
                    ),
                ),
            ],
            options={
                "verbose_name": "notary matter",
                "verbose_name_plural": "notary matters",
                "ordering": ["order", "code"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="NotaryOffice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("address", models.CharField(blank=True, max_length=200, verbose_name="address")),
                ("phone", models.CharField(blank=True, max_length=40, verbose_name="phone")),
                (
                    "hours",
                    models.CharField(blank=True, max_length=120, verbose_name="opening hours"),
                ),
                ("longitude", models.FloatField(blank=True, null=True, verbose_name="longitude")),
                ("latitude", models.FloatField(blank=True, null=True, verbose_name="latitude")),
                ("enabled", models.BooleanField(default=True, verbose_name="enabled")),
                (
                    "organisation",
                    models.OneToOneField(
                        limit_choices_to={"kind": "notary_office"},
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notary_office",
                        to="accounts.organisation",
                        verbose_name="organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "notary office",
                "verbose_name_plural": "notary offices",
                "ordering": ["organisation__path"],
            },
        ),
        migrations.CreateModel(
            name="NotarySlot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts_at", models.DateTimeField(db_index=True, verbose_name="starts at")),
                ("ends_at", models.DateTimeField(verbose_name="ends at")),
                ("capacity", models.PositiveSmallIntegerField(default=1, verbose_name="capacity")),
                (
                    "booked",
                    models.PositiveSmallIntegerField(
                        default=0, editable=False, verbose_name="booked"
                    ),
                ),
                (
                    "office",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slots",
                        to="legal.notaryoffice",
                        verbose_name="notary office",
                    ),
                ),
            ],
            options={
                "verbose_name": "notary time slot",
                "verbose_name_plural": "notary time slots",
                "ordering": ["starts_at", "office_id"],
            },
        ),
        migrations.CreateModel(
            name="NotaryBooking",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "number",
                    models.CharField(
                        blank=True, max_length=24, unique=True, verbose_name="booking number"
                    ),
                ),
                ("answers", models.JSONField(blank=True, default=dict, verbose_name="answers")),
                (
                    "documents",
                    models.JSONField(blank=True, default=list, verbose_name="documents to bring"),
                ),
                (
                    "fee",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=12, verbose_name="fee (yuan)"
                    ),
                ),
                ("fee_lines", models.JSONField(blank=True, default=list, verbose_name="fee lines")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("booked", "Booked"),
                            ("cancelled", "Cancelled"),
                            ("attended", "Attended"),
                            ("no_show", "Did not come"),
                        ],
                        default="booked",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                ),
                (
                    "applicant_name",
                    models.CharField(blank=True, max_length=60, verbose_name="applicant's name"),
                ),
                (
                    "phone",
                    models.CharField(blank=True, max_length=20, verbose_name="contact phone"),
                ),
                (
                    "resident",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="notary_bookings",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="resident",
                    ),
                ),
                (
                    "matter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bookings",
                        to="legal.notarymatter",
                        verbose_name="matter",
                    ),
                ),
                (
                    "office",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bookings",
                        to="legal.notaryoffice",
                        verbose_name="notary office",
                    ),
                ),
                (
                    "slot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bookings",
                        to="legal.notaryslot",
                        verbose_name="time slot",
                    ),
                ),
            ],
            options={
                "verbose_name": "notary booking",
                "verbose_name_plural": "notary bookings",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.AddConstraint(
            model_name="notaryslot",
            constraint=models.UniqueConstraint(
                fields=("office", "starts_at"), name="notary_slot_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="notaryslot",
            constraint=models.CheckConstraint(
                condition=models.Q(("booked__lte", models.F("capacity"))),
                name="notary_slot_not_overbooked",
            ),
        ),
        migrations.AddConstraint(
            model_name="notaryslot",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_at__gt", models.F("starts_at"))), name="notary_slot_ends"
            ),
        ),
        migrations.AddConstraint(
            model_name="notarybooking",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "booked")),
                fields=("slot", "resident"),
                name="notary_booking_once_per_slot",
            ),
        ),
        migrations.RunPython(seed_matters, migrations.RunPython.noop),
    ]
