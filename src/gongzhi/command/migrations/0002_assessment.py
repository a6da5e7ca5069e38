from decimal import Decimal

import django.core.validators
from django.db import migrations, models

# 响应率 30%, 解决率 40%, 满意率 30%; half a point off per overdue case and one per returned
# case, at most 20 points each (the usual 12345 assessment; administrators edit the rows).
WEIGHTS = [
    ("response_rate", "响应率", Decimal(30), 10, "#2563eb"),
    ("resolution_rate", "解决率", Decimal(40), 20, "#059669"),
    ("satisfaction_rate", "满意率", Decimal(30), 30, "#d97706"),
]
PENALTIES = [
    ("overdue", "超期件", Decimal("0.5"), Decimal(20), 10, "#dc2626"),
    ("returned", "退回件", Decimal(1), Decimal(20), 20, "#7c3aed"),
]


def seed(apps, schema_editor):
    Weight = apps.get_model("command", "AssessmentWeight")
    Penalty = apps.get_model("command", "AssessmentPenalty")
    for code, name, weight, order, colour in WEIGHTS:
        Weight.objects.get_or_create(
            code=code, defaults={"name": name, "weight": weight, "order": order, "colour": colour}
        )
    for code, name, points, cap, order, colour in PENALTIES:
        Penalty.objects.get_or_create(
            code=code,
            defaults={"name": name, "points": points, "cap": cap, "order": order, "colour": colour},
        )


class Migration(migrations.Migration):
    dependencies = [("command", "0001_rollups")]

    operations = [
        migrations.CreateModel(
            name="AssessmentPenalty",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("name", models.CharField(max_length=60, verbose_name="name")),
                ("enabled", models.BooleanField(default=True, verbose_name="enabled")),
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
                ("colour", models.CharField(default="#6b7280", max_length=9, verbose_name="colour")),
                ("code", models.SlugField(choices=[("overdue", "Overdue cases"), ("returned", "Returned cases")], max_length=40, unique=True, verbose_name="counted cases")),
                ("points", models.DecimalField(decimal_places=2, max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal("0"))], verbose_name="points per case")),
                ("cap", models.DecimalField(decimal_places=2, max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal("0")), django.core.validators.MaxValueValidator(Decimal("100"))], verbose_name="at most (points)")),
            ],
            options={
                "verbose_name": "assessment penalty",
                "verbose_name_plural": "assessment penalties",
                "ordering": ["order", "code"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="AssessmentWeight",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("name", models.CharField(max_length=60, verbose_name="name")),
                ("enabled", models.BooleanField(default=True, verbose_name="enabled")),
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
                ("colour", models.CharField(default="#6b7280", max_length=9, verbose_name="colour")),
                ("code", models.SlugField(choices=[("response_rate", "Response rate"), ("resolution_rate", "Resolution rate"), ("satisfaction_rate", "Satisfaction rate")], max_length=40, unique=True, verbose_name="rate")),
                ("weight", models.DecimalField(decimal_places=2, max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal("0")), django.core.validators.MaxValueValidator(Decimal("100"))], verbose_name="weight (%)")),
            ],
            options={
                "verbose_name": "assessment weight",
                "verbose_name_plural": "assessment weights",
                "ordering": ["order", "code"],
                "abstract": False,
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
