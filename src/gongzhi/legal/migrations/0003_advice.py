"""Legal advice: questions, the duty roster and the knowledge base, with its full-text
index on the database's own engine (SQLite FTS5 with triggers; PostgreSQL a generated
tsvector with a GIN index). See ``legal/advice/search.py``."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SQLITE = [
    "CREATE VIRTUAL TABLE legal_knowledge_fts USING fts5(terms, body_terms, content='legal_knowledgeentry', "
    "content_rowid='id', tokenize=\"unicode61 tokenchars '_~'\")",
    "CREATE VIRTUAL TABLE legal_knowledge_vocab USING fts5vocab(legal_knowledge_fts, 'row')",
    "CREATE TRIGGER legal_knowledge_ai AFTER INSERT ON legal_knowledgeentry BEGIN "
    "INSERT INTO legal_knowledge_fts(rowid, terms, body_terms) VALUES (new.id, new.terms, new.body_terms); END",
    "CREATE TRIGGER legal_knowledge_ad AFTER DELETE ON legal_knowledgeentry BEGIN "
    "INSERT INTO legal_knowledge_fts(legal_knowledge_fts, rowid, terms, body_terms) "
    "VALUES ('delete', old.id, old.terms, old.body_terms); END",
    "CREATE TRIGGER legal_knowledge_au AFTER UPDATE OF terms, body_terms ON legal_knowledgeentry BEGIN "
    "INSERT INTO legal_knowledge_fts(legal_knowledge_fts, rowid, terms, body_terms) "
    "VALUES ('delete', old.id, old.terms, old.body_terms); "
    "INSERT INTO legal_knowledge_fts(rowid, terms, body_terms) VALUES (new.id, new.terms, new.body_terms); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS legal_knowledge_au",
    "DROP TRIGGER IF EXISTS legal_knowledge_ad",
    "DROP TRIGGER IF EXISTS legal_knowledge_ai",
    "DROP TABLE IF EXISTS legal_knowledge_vocab",
    "DROP TABLE IF EXISTS legal_knowledge_fts",
]
POSTGRES = [
    "ALTER TABLE legal_knowledgeentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(array_remove(string_to_array(terms || ' ' || body_terms, ' '), ''))) "
    "STORED",
    "ALTER TABLE legal_knowledgeentry ADD COLUMN title_vector tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(array_remove(string_to_array(terms, ' '), ''))) STORED",
    "CREATE INDEX legal_knowledge_search ON legal_knowledgeentry USING gin (search_vector)",
    "CREATE INDEX legal_knowledge_title ON legal_knowledgeentry USING gin (title_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS legal_knowledge_title",
    "DROP INDEX IF EXISTS legal_knowledge_search",
    "ALTER TABLE legal_knowledgeentry DROP COLUMN IF EXISTS title_vector",
    "ALTER TABLE legal_knowledgeentry DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


create_index = _run({"sqlite": SQLITE, "postgresql": POSTGRES})
drop_index = _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN})


class Migration(migrations.Migration):
    dependencies = [
        ("legal", "0002_aid"),
        ("regions", "0002_bbox_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Question",
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
                    "region_path",
                    models.CharField(db_index=True, max_length=255, verbose_name="region path"),
                ),
                ("text", models.TextField(max_length=2000, verbose_name="question")),
                (
                    "photo",
                    models.ImageField(
                        blank=True, upload_to="legal/advice/%Y/%m/", verbose_name="photo"
                    ),
                ),
                (
                    "photo_thumb",
                    models.ImageField(
                        blank=True, upload_to="legal/advice/%Y/%m/", verbose_name="photo thumbnail"
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[("waiting", "Waiting for an answer"), ("answered", "Answered")],
                        db_index=True,
                        default="waiting",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "route",
                    models.CharField(
                        choices=[
                            ("adviser", "Village legal adviser"),
                            ("duty", "Lawyer on duty"),
                            ("passed", "Passed on to the lawyer on duty"),
                            ("overdue", "Rerouted when overdue"),
                        ],
                        max_length=10,
                        verbose_name="route",
                    ),
                ),
                ("asked_at", models.DateTimeField(db_index=True, verbose_name="asked at")),
                ("due_at", models.DateTimeField(db_index=True, verbose_name="answer due")),
                (
                    "reminded_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reminded at"),
                ),
                (
                    "escalated_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="escalated at"),
                ),
                ("answer", models.TextField(blank=True, verbose_name="answer")),
                (
                    "answered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="answered at"),
                ),
                (
                    "rating",
                    models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="rating"),
                ),
                (
                    "rating_note",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="comment on the answer"
                    ),
                ),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="legal_answers",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="answered by",
                    ),
                ),
                (
                    "asker",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="legal_questions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="asked by",
                    ),
                ),
                (
                    "lawyer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="legal_questions_routed",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="lawyer",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="regions.region",
                        verbose_name="village or community",
                    ),
                ),
            ],
            options={
                "verbose_name": "legal question",
                "verbose_name_plural": "legal questions",
                "ordering": ["-asked_at"],
            },
        ),
        migrations.CreateModel(
            name="KnowledgeEntry",
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
                ("body", models.TextField(verbose_name="question (anonymised)")),
                ("answer", models.TextField(verbose_name="answer")),
                (
                    "county_path",
                    models.CharField(
                        blank=True, db_index=True, max_length=255, verbose_name="county path"
                    ),
                ),
                (
                    "terms",
                    models.TextField(
                        blank=True, editable=False, verbose_name="search terms of the title"
                    ),
                ),
                (
                    "body_terms",
                    models.TextField(
                        blank=True, editable=False, verbose_name="search terms of the text"
                    ),
                ),
                ("published", models.BooleanField(default=True, verbose_name="published")),
                (
                    "published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="published at"),
                ),
                (
                    "question",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="knowledge_entry",
                        to="legal.question",
                        verbose_name="question",
                    ),
                ),
            ],
            options={
                "verbose_name": "knowledge base entry",
                "verbose_name_plural": "knowledge base",
                "ordering": ["-published_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="DutyShift",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("day", models.DateField(db_index=True, verbose_name="day")),
                (
                    "centre",
                    models.ForeignKey(
                        limit_choices_to={"level": "centre"},
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="duty_shifts",
                        to="legal.servicepoint",
                        verbose_name="centre",
                    ),
                ),
                (
                    "lawyer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="legal_duty_shifts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="lawyer",
                    ),
                ),
            ],
            options={
                "verbose_name": "duty shift",
                "verbose_name_plural": "duty roster",
                "ordering": ["-day", "centre"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("centre", "day", "lawyer"), name="legal_duty_once_a_day"
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(fields=["lawyer", "state", "due_at"], name="legal_q_desk"),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
