"""Issue 22, safeguard 3: the audit log becomes a hash chain that cannot be edited.

Rows already there are numbered and chained in id order. The actor foreign key stops being a
database constraint and is never emptied (deleting a user would otherwise UPDATE the rows).
On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of the table; TRUNCATE is let
through only in a session that sets ``gongzhi.audit_allow_truncate = on`` (the test suite's
flushes between transactional tests).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TRIGGERS = """
CREATE OR REPLACE FUNCTION core_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('gongzhi.audit_allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'core_auditlog is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditlog_no_change BEFORE UPDATE OR DELETE ON core_auditlog
    FOR EACH ROW EXECUTE FUNCTION core_auditlog_append_only();
CREATE TRIGGER core_auditlog_no_truncate BEFORE TRUNCATE ON core_auditlog
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditlog_append_only();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS core_auditlog_no_truncate ON core_auditlog;
DROP TRIGGER IF EXISTS core_auditlog_no_change ON core_auditlog;
DROP FUNCTION IF EXISTS core_auditlog_append_only();
"""


def chain_rows(apps, schema_editor):
    from gongzhi.core.audit import row_hash

    AuditLog = apps.get_model("core", "AuditLog")
    db = schema_editor.connection.alias
    prev, seq = "", 0
    for row in AuditLog.objects.using(db).order_by("id").iterator(chunk_size=2000):
        seq += 1
        row.seq, row.prev_hash = seq, prev
        row.row_hash = prev = row_hash(row, row.prev_hash)
        row.save(update_fields=["seq", "prev_hash", "row_hash"])


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS, params=None)


def no_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_audit_keep_actor"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditlog",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="audit_entries",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.AlterField(
            model_name="auditlog",
            name="at",
            field=models.DateTimeField(
                db_index=True,
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="at",
            ),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="seq",
            field=models.BigIntegerField(null=True, verbose_name="sequence number"),
        ),
        migrations.AddField(
            model_name="auditlog",
            name="prev_hash",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="previous row's hash"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditlog",
            name="row_hash",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="row hash"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditlog",
            name="seq",
            field=models.BigIntegerField(unique=True, verbose_name="sequence number"),
        ),
        migrations.RunPython(triggers, no_triggers),
    ]
