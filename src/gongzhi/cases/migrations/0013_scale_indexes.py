"""Indexes for the queue and the API list at any table size (issue 25): newest first, the
deadline running now, and a region subtree (a path prefix) by report time."""

from django.db import migrations, models


def _next_due_index():
    # The queue's deadline order (cases.models.NEXT_DUE, nulls last): PostgreSQL only, SQLite
    # cannot index NULLS LAST.
    return models.Index(
        models.OrderBy(
            models.Case(
                models.When(state__in=["reported"], then=models.F("accept_due")),
                models.When(state__in=["accepted"], then=models.F("dispatch_due")),
                models.When(state__in=["dispatched"], then=models.F("sign_for_due")),
                models.When(state__in=["dispatched", "in_progress"], then=models.F("resolve_due")),
                default=None,
            ),
            nulls_last=True,
        ),
        models.OrderBy(models.F("created_at"), descending=True),
        models.OrderBy(models.F("id"), descending=True),
        name="case_next_due",
    )


def next_due_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        case = apps.get_model("cases", "Case")
        schema_editor.execute(_next_due_index().create_sql(case, schema_editor))


def drop_next_due_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_next_due")


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_desk_actions")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="case_newest",
            ),
        ),
        migrations.RunPython(next_due_index, drop_next_due_index, elidable=False),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["region_path", "created_at"],
                name="case_region_created",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
        ),
    ]
