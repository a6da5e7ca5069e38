"""普法: articles, their images, campaigns, deliveries (once per person and article) and
quiz answers (the audience groups are seeded by 0001_points)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("legal", "0004_notary"),
        ("regions", "0002_bbox_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Article",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("title", models.CharField(max_length=120, verbose_name="title")),
                ("summary", models.CharField(blank=True, max_length=200, verbose_name="summary")),
                ("body", models.TextField(verbose_name="text")),
                (
                    "cover",
                    models.ImageField(
                        blank=True, upload_to="legal/outreach/%Y/%m", verbose_name="cover image"
                    ),
                ),
                (
                    "cover_thumb",
                    models.ImageField(
                        blank=True, upload_to="legal/outreach/%Y/%m", verbose_name="cover thumbnail"
                    ),
                ),
                (
                    "video",
                    models.FileField(
                        blank=True, upload_to="legal/outreach/video/%Y/%m", verbose_name="video"
                    ),
                ),
                (
                    "owner_path",
                    models.CharField(
                        db_index=True,
                        help_text="The area of the staff who wrote it.",
                        max_length=255,
                        verbose_name="area path",
                    ),
                ),
                (
                    "send",
                    models.BooleanField(
                        default=True,
                        help_text="Send it to the inbox of the people targeted (when its campaign starts).",
                        verbose_name="send to inbox",
                    ),
                ),
                (
                    "public",
                    models.BooleanField(
                        default=True,
                        help_text="Everyone in the regions may read it, not only the people it was sent to.",
                        verbose_name="public",
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="published at"),
                ),
                (
                    "quiz",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='[{"question": "…", "options": ["…", "…"], "answer": 0}, …]',
                        verbose_name="quiz",
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "groups",
                    models.ManyToManyField(
                        blank=True,
                        help_text="No group: everyone in the regions.",
                        related_name="articles",
                        to="legal.audiencegroup",
                        verbose_name="groups targeted",
                    ),
                ),
                (
                    "regions",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="regions.region",
                        verbose_name="regions targeted",
                    ),
                ),
            ],
            options={
                "verbose_name": "outreach article",
                "verbose_name_plural": "outreach articles",
                "ordering": ["-published_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ArticleImage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "image",
                    models.ImageField(upload_to="legal/outreach/%Y/%m", verbose_name="image"),
                ),
                (
                    "thumb",
                    models.ImageField(upload_to="legal/outreach/%Y/%m", verbose_name="thumbnail"),
                ),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="images",
                        to="legal.article",
                    ),
                ),
            ],
            options={
                "verbose_name": "article image",
                "verbose_name_plural": "article images",
                "ordering": ["order", "id"],
            },
        ),
        migrations.CreateModel(
            name="Campaign",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("title", models.CharField(max_length=100, verbose_name="title")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "owner_path",
                    models.CharField(
                        db_index=True, editable=False, max_length=255, verbose_name="area path"
                    ),
                ),
                ("starts_on", models.DateField(verbose_name="starts on")),
                ("ends_on", models.DateField(verbose_name="ends on")),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.region",
                        verbose_name="area",
                    ),
                ),
            ],
            options={
                "verbose_name": "outreach campaign",
                "verbose_name_plural": "outreach campaigns",
                "ordering": ["-starts_on", "-id"],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="campaign",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="articles",
                to="legal.campaign",
                verbose_name="campaign",
            ),
        ),
        migrations.CreateModel(
            name="Delivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "region_path",
                    models.CharField(
                        blank=True, db_index=True, max_length=255, verbose_name="region path"
                    ),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="read at")),
                ("batch", models.CharField(blank=True, editable=False, max_length=32)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="legal.article",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="legal_deliveries",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "outreach delivery",
                "verbose_name_plural": "outreach deliveries",
            },
        ),
        migrations.CreateModel(
            name="QuizAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "region_path",
                    models.CharField(blank=True, max_length=255, verbose_name="region path"),
                ),
                ("choices", models.JSONField(default=list, verbose_name="choices")),
                ("score", models.PositiveSmallIntegerField(verbose_name="score")),
                ("total", models.PositiveSmallIntegerField(verbose_name="questions")),
                (
                    "answered_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="answered at"
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="legal.article",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "quiz answer",
                "verbose_name_plural": "quiz answers",
            },
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                name="legal_campaign_dates",
            ),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                fields=("article", "user"), name="legal_delivery_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="quizanswer",
            constraint=models.UniqueConstraint(fields=("article", "user"), name="legal_quiz_once"),
        ),
    ]
