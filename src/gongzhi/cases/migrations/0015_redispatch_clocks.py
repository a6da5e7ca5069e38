"""The command centre's dispatch clock runs again for a case back with it (returned,
reopened, escalated): ``dispatch_from`` is when that clock started, and the queue's deadline
order (``case_next_due``, PostgreSQL only) now reads the dispatch deadline in those states.

Open cases reported before the stage clocks existed (cases 0010) run no clock: each case
waiting for acceptance gets its acceptance deadline from its report, and each case waiting
for a dispatch its dispatch deadline from when it came to wait (its acceptance, or the
latest step that brought it back), by the ``taxonomy.StageClock`` rows of its channel and
urgency. The deadline scan warns of them and marks the late ones overdue, once each, on its
next run.
"""

from django.db import migrations, models

WAITING_FOR_DISPATCH = ["accepted", "returned", "reopened", "escalated"]
BATCH = 500


def _next_due_index(states):
    return models.Index(
        models.OrderBy(
            models.Case(
                models.When(state__in=["reported"], then=models.F("accept_due")),
                models.When(state__in=states, then=models.F("dispatch_due")),
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


def _remake_index(states):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            case = apps.get_model("cases", "Case")
            schema_editor.execute("DROP INDEX IF EXISTS case_next_due")
            schema_editor.execute(_next_due_index(states).create_sql(case, schema_editor))

    return run


def _choose(clocks, *, stage, channel, is_urgent):
    """The most specific enabled row (as ``StageClock.choose``; a migration has no methods)."""
    urgency = "urgent" if is_urgent else "normal"
    fitting = [
        c
        for c in clocks
        if c.enabled
        and c.stage == stage
        and c.channel in ("", channel)
        and c.urgency in ("", urgency)
    ]
    return max(fitting, key=lambda c: (bool(c.channel), bool(c.urgency)), default=None)


def backfill(apps, schema_editor):
    from gongzhi.core.workdays import deadline

    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    clocks = list(apps.get_model("taxonomy", "StageClock").objects.all())
    if not clocks:
        return

    def due(case, stage, start):
        clock = _choose(clocks, stage=stage, channel=case.channel, is_urgent=case.is_urgent)
        return deadline(start, clock.value, clock.unit) if clock is not None else None

    changed = []

    def flush(force=False):
        if changed and (force or len(changed) >= BATCH):
            Case.objects.bulk_update(changed, ["accept_due", "dispatch_due", "dispatch_from"])
            changed.clear()

    waiting = Case.objects.filter(state="reported", accept_due__isnull=True).only(
        "id", "channel", "is_urgent", "created_at"
    )
    for case in waiting.iterator(chunk_size=BATCH):
        case.accept_due = due(case, "accept", case.created_at)
        if case.accept_due is not None:
            changed.append(case)
            flush()
    flush(force=True)
    waiting = Case.objects.filter(state__in=WAITING_FOR_DISPATCH, dispatch_due__isnull=True).only(
        "id", "state", "channel", "is_urgent", "created_at", "accepted_at", "updated_at"
    )
    for case in waiting.iterator(chunk_size=BATCH):
        came = (
            CaseEvent.objects.filter(case_id=case.pk, to_state=case.state)
            .exclude(from_state=case.state)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        start = came or case.accepted_at or case.created_at
        case.dispatch_from = start
        case.dispatch_due = due(case, "dispatch", start)
        if case.dispatch_due is not None:
            changed.append(case)
            flush()
    flush(force=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_suspension_lapsed"),
        ("taxonomy", "0005_stage_clocks"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="dispatch_from",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="dispatch clock started"
            ),
        ),
        migrations.RunPython(
            _remake_index(WAITING_FOR_DISPATCH), _remake_index(["accepted"]), elidable=False
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
