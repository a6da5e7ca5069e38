"""Counting the rollups (``models/rollups.py``) from the records.

The unit of work is a *key*: a (day, township path). The returns (``ReturnDay``) are
counted from the timeline under the return's day and the case's township, so a return marks
that key too (``return_keys``). All the rows of a key, in every day
table, are recounted together, and its month's rows summed again from the days. Counting
gathers the facts of the cases once into a temporary table (one row a case: its keys, a 0/1
flag per measure, its durations' buckets; the latest-callback and timeline lookups run
once a case), then fills each table with one GROUP BY over it. ``rebuild`` runs the very
same statements over every case at once, so a recount and a rebuild cannot disagree.

When a case, its callback or its timeline changes, ``signals.py`` calls ``mark`` with the
keys it touched (before and after: a case can change place, category, unit, state, closing
day). ``mark`` writes them to ``StaleDay`` in the same transaction (durable: a crash loses
nothing). The watcher's ``tick`` recounts what is marked (each key once, whatever number of
saves marked it), and a figures read first recounts a few keys still marked, so figures
are at most a tick behind and usually current. The recount is kept off the request on
purpose: at a million cases, recounting on the report's commit made intake 20× slower
(``bench/command.py``). ``GONGZHI_ROLLUPS_AT_COMMIT = True`` recounts after each commit
instead (one machine with few reports). ``tick`` (periodic) also marks the
days whose sign-for, acceptance or dispatch deadlines passed since it last ran, the figures
that change with the clock alone (the bases of the response, on-time acceptance and
on-time dispatch rates). A change to the category tree or to a case
outside the services and without a save (a raw UPDATE) needs ``rebuild``.

Histogram buckets for durations: ``EDGES`` (seconds), 1 minute × 1.25^k up to about a year;
bucket i holds EDGES[i-1] ≤ d < EDGES[i] (bucket 0: under a minute, the last: beyond the
last edge). A median or 90th percentile read from them is interpolated within its bucket,
so it is off by at most one bucket's width: 25 % of the value, usually far less.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case as Switch
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr, TruncDate, TruncMonth
from django.utils import timezone

from gongzhi.cases.choices import FINAL_STATES, Satisfaction, State
from gongzhi.cases.models import Callback, Case, CaseEvent
from gongzhi.cases.stats import TOWNSHIP_PATH_LEN

from .models import (
    CaseDay,
    CaseMonth,
    DurationDay,
    DurationMonth,
    GridDay,
    GridMonth,
    ReturnDay,
    ReturnMonth,
    RollupClock,
    StaleDay,
    TownDay,
    TownMonth,
)
from .models.rollups import MEASURES

EDGES = tuple(round(60 * 1.25**k) for k in range(60))
SIGN_CLOCK = "sign_for_due"

# The columns each table is keyed on beyond (day, township), and the expression of each.
DIMENSIONS = {
    "unit": lambda: Coalesce("owner_id", Value(0)),
    "category": lambda: Coalesce(
        "category__parent__parent_id", "category__parent_id", "category_id"
    ),
    "channel": lambda: F("channel"),
    "grid": lambda: Coalesce("grid_id", Value(0)),
}
TABLES = {
    TownDay: ("unit",),
    CaseDay: ("unit", "category", "channel"),
    GridDay: ("unit", "grid"),
}
DURATION_DIMENSIONS = ("unit", "category", "channel")


def township_of(region_path: str | None) -> str:
    return (region_path or "")[:TOWNSHIP_PATH_LEN]


def return_keys(case_ids, *, region_path=None) -> set[tuple[date, str]]:
    """The keys the returns of these cases are counted under (the return's day, the case's
    township; ``region_path``: that one instead of each case's own, for where a case was)."""
    rows = CaseEvent.objects.filter(case__in=list(case_ids), action="return")
    if region_path is not None:
        return {
            (timezone.localdate(at), township_of(region_path))
            for at in rows.values_list("at", flat=True)
        }
    return {
        (timezone.localdate(at), township_of(path))
        for at, path in rows.values_list("at", "case__region_path")
    }


def keys_of(created_at, region_path, closed_at) -> set[tuple[date, str]]:
    """The keys a case with these values is counted under (its reporting day's, and its
    closing day's once closed)."""
    town = township_of(region_path)
    keys = set()
    if created_at is not None:
        keys.add((timezone.localdate(created_at), town))
    if closed_at is not None:
        keys.add((timezone.localdate(closed_at), town))
    return keys


# -- the counting statements -------------------------------------------------------------------


def _rated(cases):
    """The latest callback's answers, per case (the rates count the latest one)."""
    latest = Callback.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-id")
    return cases.annotate(
        rating=Subquery(latest.values("satisfaction")[:1]),
        rating_resolved=Subquery(latest.values("resolved")[:1]),
    )


def _flag(condition: Q):
    return Switch(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def cohort_flags(now) -> dict:
    """Per case, 1 if it counts towards each measure of its reporting day (``cases.stats``'
    definitions: the same filters, so both agree)."""
    returned = CaseEvent.objects.filter(case=OuterRef("pk"), action="return")
    return {
        "open": _flag(~Q(state__in=FINAL_STATES)),
        "overdue": _flag(Q(is_overdue=True)),
        "returned": _flag(Q(Exists(returned))),
        "response_base": _flag(
            Q(sign_for_due__isnull=False) & (Q(signed_at__isnull=False) | Q(sign_for_due__lt=now))
        ),
        "responded": _flag(Q(sign_for_met=True)),
        "rated": _flag(Q(rating__isnull=False)),
        "solved": _flag(Q(rating_resolved=True)),
        "satisfied": _flag(Q(rating__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])),
        "accept_base": _flag(
            Q(accept_due__isnull=False) & (Q(accept_met__isnull=False) | Q(accept_due__lt=now))
        ),
        "accepted_in_time": _flag(Q(accept_met=True)),
        "dispatch_base": _flag(
            Q(dispatch_due__isnull=False)
            & (Q(dispatch_met__isnull=False) | Q(dispatch_due__lt=now))
        ),
        "dispatched_in_time": _flag(Q(dispatch_met=True)),
        "answered": _flag(Q(state=State.ANSWERED)),
    }


def _bucket(start: str, end: str):
    """The histogram bucket of the span start → end (None when either is not set)."""
    whens = [
        When(**{f"{end}__lt": F(start) + timedelta(seconds=edge)}, then=Value(i))
        for i, edge in enumerate(EDGES)
    ]
    return Switch(
        When(Q(**{f"{start}__isnull": True}) | Q(**{f"{end}__isnull": True}), then=None),
        *whens,
        default=Value(len(EDGES)),
        output_field=IntegerField(),
    )


DURATION_SPANS = {
    # kind: (start, end) of the span measured
    DurationDay.Kind.SIGN: ("dispatched_at", "signed_at"),
    DurationDay.Kind.RESOLVE: ("created_at", "resolved_at"),
}
FACTS = "command_rollup_facts"
FLAGS = (
    "open",
    "overdue",
    "returned",
    "response_base",
    "responded",
    "rated",
    "solved",
    "satisfied",
    "accept_base",
    "accepted_in_time",
    "dispatch_base",
    "dispatched_in_time",
    "answered",
)


def _facts(cases, part: str, now):
    """One row per case: its keys and its 0/1 flags (``part`` "c": counted on its reporting
    day, with every flag and its durations' buckets; "x": on its closing day, closed only)."""
    columns = {
        "f_part": Value(part),
        "f_day": TruncDate("created_at" if part == "c" else "closed_at"),
        "f_region_path": Substr("region_path", 1, TOWNSHIP_PATH_LEN),
        **{f"f_{d}": DIMENSIONS[d]() for d in DIMENSIONS},
    }
    if part == "c":
        cases = _rated(cases)
        columns |= {f"f_{name}": flag for name, flag in cohort_flags(now).items()}
        columns |= {f"f_{kind}": _bucket(*span) for kind, span in DURATION_SPANS.items()}
    else:
        cases = cases.filter(closed_at__isnull=False)
        zero = Value(0, output_field=IntegerField())
        columns |= {f"f_{name}": zero for name in FLAGS}
        columns |= {
            f"f_{kind}": Value(None, output_field=IntegerField()) for kind in DURATION_SPANS
        }
    queryset = cases.order_by().values(**columns)
    return queryset.query.get_compiler(connection=connection).as_sql()


def _insert(model, queryset, columns: list[str]) -> int:
    """INSERT INTO model (columns) <queryset's SELECT>: the database counts, nothing comes
    back to Python."""
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    assert len(queryset.query.annotation_select) == len(columns), columns
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)
        return max(cursor.rowcount, 0)


def _count(reported, closed, now, *, temporary: bool = False) -> int:
    """Insert every row counting the cases ``reported`` (cohort rows, durations) and
    ``closed`` (closing rows). The facts of the cases are a subquery of each statement (a
    key's few cases), or, ``temporary``, gathered once into a temporary table (a rebuild:
    the callback and timeline lookups run once a case); then each table is one GROUP BY."""
    quote = connection.ops.quote_name
    rows = 0
    with connection.cursor() as cursor:
        cohort, cohort_params = _facts(reported, "c", now)
        closing, closing_params = _facts(closed, "x", now)
        if temporary:
            cursor.execute(f"DROP TABLE IF EXISTS {FACTS}")
            cursor.execute(f"CREATE TEMPORARY TABLE {FACTS} AS {cohort}", cohort_params)
            cursor.execute(f"INSERT INTO {FACTS} {closing}", closing_params)
            source, params = FACTS, []
        else:
            source = f"({cohort} UNION ALL {closing}) facts"
            params = [*cohort_params, *closing_params]

        def run(sql: str, before=()) -> None:
            nonlocal rows
            cursor.execute(sql, [*before, *params])
            rows += max(cursor.rowcount, 0)

        for model, dims in TABLES.items():
            table = quote(model._meta.db_table)
            keys = ["day", "region_path", *dims]
            names = ", ".join(quote(model._meta.get_field(c).column) for c in keys)
            group = ", ".join(f"f_{k}" for k in keys)
            flags = ", ".join(quote(model._meta.get_field(f).column) for f in FLAGS)
            sums = ", ".join(f"SUM(f_{f})" for f in FLAGS)
            # Reporting and closing rows of the same key are one row.
            run(
                f"INSERT INTO {table} ({names}, reported, closed, {flags}) "
                f"SELECT {group}, SUM(CASE WHEN f_part = 'c' THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN f_part = 'x' THEN 1 ELSE 0 END), {sums} FROM {source} "
                f"GROUP BY {group}"
            )
        table = quote(DurationDay._meta.db_table)
        keys = ["day", "region_path", *DURATION_DIMENSIONS]
        group = ", ".join(f"f_{k}" for k in keys)
        names = ", ".join(quote(k) for k in keys)
        for kind in DURATION_SPANS:
            run(
                f"INSERT INTO {table} ({names}, kind, bucket, count) "
                f"SELECT {group}, %s, f_{kind}, COUNT(*) FROM {source} "
                f"WHERE f_part = 'c' AND f_{kind} IS NOT NULL GROUP BY {group}, f_{kind}",
                [str(kind)],
            )
        if temporary:
            cursor.execute(f"DROP TABLE {FACTS}")
    return rows


def _count_returns(events) -> int:
    """Insert the ``ReturnDay`` rows counting these return events (one GROUP BY)."""
    grouped = (
        events.order_by()
        .values(
            k_day=TruncDate("at"),
            k_region_path=Substr("case__region_path", 1, TOWNSHIP_PATH_LEN),
            k_unit=Coalesce("actor_organisation_id", Value(0)),
            k_grid=Coalesce("case__grid_id", Value(0)),
        )
        .annotate(returned=Count("id"))
    )
    return _insert(ReturnDay, grouped, ["day", "region_path", "unit", "grid", "returned"])


# Each day table and the month table summed from it, with the columns summed.
MONTHS = {
    TownDay: (TownMonth, ("unit",), MEASURES),
    CaseDay: (CaseMonth, ("unit", "category", "channel"), MEASURES),
    GridDay: (GridMonth, ("unit", "grid"), MEASURES),
    DurationDay: (DurationMonth, ("unit", "category", "channel", "kind", "bucket"), ("count",)),
    ReturnDay: (ReturnMonth, ("unit", "grid"), ("returned",)),
}


def _roll_months(where: Q) -> int:
    """Insert the month rows summed from the day rows ``where`` selects (whole months)."""
    rows = 0
    for day_model, (month_model, dims, sums) in MONTHS.items():
        columns = {"k_day": TruncMonth("day"), "k_region_path": F("region_path")}
        columns |= {f"k_{d}": F(d) for d in dims}
        grouped = (
            day_model.objects.filter(where)
            .order_by()
            .values(**columns)
            .annotate(**{s: Sum(s) for s in sums})
        )
        rows += _insert(month_model, grouped, [*(c[2:] for c in columns), *sums])
    return rows


def month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


DAYS = (TownDay, CaseDay, GridDay, DurationDay, ReturnDay)
ALL_MONTHS = (TownMonth, CaseMonth, GridMonth, DurationMonth, ReturnMonth)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _in_key(field: str, day: date, town: str, *, path: str = "region_path") -> Q:
    start = _local_midnight(day)
    place = (
        Q(**{f"{path}__startswith": town}) if len(town) == TOWNSHIP_PATH_LEN else Q(**{path: town})
    )
    return (
        Q(**{f"{field}__gte": start, f"{field}__lt": _local_midnight(day + timedelta(1))}) & place
    )


def _lock(day: date, town: str) -> None:
    """One recounter per key at a time on PostgreSQL (two would each delete, then each
    insert: twice the rows). SQLite has a single writer anyway."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"{day}|{town}".encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [72_001, key - 2**31])


def recount(keys, *, now=None) -> int:
    """Recount the rows of these (day, township) keys from the records; returns how many
    keys. Each key in its own short transaction."""
    now = now or timezone.now()
    keys = set(keys)
    batch = getattr(transaction.get_connection(), "_gongzhi_rollup_batch", None)
    if batch is not None and not batch.done:
        # Recounted inside the transaction that marked them: a later change marks them anew.
        batch.keys -= keys
    done = 0
    for day, town in sorted(keys):
        with transaction.atomic():
            _lock(day, town)
            StaleDay.objects.filter(day=day, region_path=town).delete()
            for model in DAYS:
                model.objects.filter(day=day, region_path=town).delete()
            # The key's cases first, by themselves: joined to the categories at once, the
            # planner may walk every category and the township's whole index for each.
            reported, closed = (
                list(Case.objects.filter(_in_key(f, day, town)).values_list("pk", flat=True))
                or [0]  # no case: a list that compiles, and matches nothing
                for f in ("created_at", "closed_at")
            )
            _count(Case.objects.filter(pk__in=reported), Case.objects.filter(pk__in=closed), now)
            _count_returns(
                CaseEvent.objects.filter(
                    _in_key("at", day, town, path="case__region_path"), action="return"
                )
            )
            first, last = month_of(day)
            for month_model in ALL_MONTHS:
                month_model.objects.filter(day=first, region_path=town).delete()
            _roll_months(Q(day__gte=first, day__lte=last, region_path=town))
        done += 1
    return done


def rebuild(*, now=None) -> dict:
    """Recount every table from scratch: one GROUP BY pass per table and kind of row."""
    now = now or timezone.now()
    with transaction.atomic():
        for model in (*DAYS, *ALL_MONTHS, StaleDay):
            model.objects.all().delete()
        rows = _count(Case.objects.all(), Case.objects.all(), now, temporary=True)
        rows += _count_returns(CaseEvent.objects.filter(action="return"))
        rows += _roll_months(Q())
        RollupClock.objects.update_or_create(name=SIGN_CLOCK, defaults={"at": now})
    return {
        "rebuilt": True,
        "rows": rows,
        "town_rows": TownDay.objects.count(),
        "case_rows": CaseDay.objects.count(),
        "grid_rows": GridDay.objects.count(),
        "duration_rows": DurationDay.objects.count(),
        "return_rows": ReturnDay.objects.count(),
        "month_rows": sum(m.objects.count() for m in ALL_MONTHS),
    }


# -- marking what changed ----------------------------------------------------------------------


class _Batch:
    """The keys one transaction marked: recounted once, after it commits."""

    def __init__(self):
        self.keys: set[tuple[date, str]] = set()
        self.done = False

    def flush(self) -> None:
        self.done = True  # a later mark starts a new batch
        if getattr(settings, "GONGZHI_ROLLUPS_AT_COMMIT", False):
            recount(self.keys)


def _batch() -> _Batch:
    """This transaction's batch (a new one if it has none, or if its was rolled back)."""
    conn = transaction.get_connection()
    batch = getattr(conn, "_gongzhi_rollup_batch", None)
    registered = (
        batch is not None
        and not batch.done
        and any(getattr(entry[1], "__self__", None) is batch for entry in conn.run_on_commit)
    )
    if not registered:
        batch = _Batch()
        conn._gongzhi_rollup_batch = batch
        if conn.in_atomic_block:
            transaction.on_commit(batch.flush, robust=True)
    return batch


def mark(keys) -> None:
    """Mark these keys stale now (durably, in the caller's transaction) and recount them
    after the commit."""
    keys = {k for k in keys if k[0] is not None}
    if not keys:
        return
    if not transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            mark(keys)
        return
    batch = _batch()
    new = keys - batch.keys
    if new:
        StaleDay.objects.bulk_create(
            [StaleDay(day=day, region_path=town) for day, town in new], ignore_conflicts=True
        )
        batch.keys |= new


def mark_cases(ids) -> None:
    """Mark the keys of these cases (after a bulk ``update()`` that sent no save signal)."""
    rows = Case.objects.filter(pk__in=list(ids)).values_list(
        "created_at", "region_path", "closed_at"
    )
    mark(set().union(*(keys_of(*row) for row in rows)) if rows else ())


def refresh_stale(*, limit: int | None = None) -> dict:
    """Recount the keys still marked (left by a process that died, or by a test's
    transaction that never committed)."""
    marked = StaleDay.objects.order_by("day", "region_path").values_list("day", "region_path")
    keys = list(marked[:limit] if limit else marked)
    return {"recounted": recount(keys)}


def tick(*, now=None) -> dict:
    """The periodic job: mark the days whose deadlines not yet met passed since the last run
    (signing for, accepting, dispatching: the case joins that rate's base then), and
    recount what is marked."""
    now = now or timezone.now()
    clock = RollupClock.objects.filter(name=SIGN_CLOCK).first()
    since = clock.at if clock else now - timedelta(days=7)
    passed = Case.objects.filter(
        Q(signed_at__isnull=True, sign_for_due__gt=since, sign_for_due__lte=now)
        | Q(accept_met__isnull=True, accept_due__gt=since, accept_due__lte=now)
        | Q(dispatch_met__isnull=True, dispatch_due__gt=since, dispatch_due__lte=now)
    ).values_list("created_at", "region_path", "closed_at")
    keys = set()
    for row in passed.iterator():
        keys |= keys_of(*row)
    with transaction.atomic():
        mark(keys)
        RollupClock.objects.update_or_create(name=SIGN_CLOCK, defaults={"at": now})
    result = refresh_stale()
    return {"deadlines_passed": len(keys), **result}
