"""Counting the daily rollups (``models/rollups.py``) from the records.

The unit of work is a *key*: a (day, township path). All the rows of a key, in the three
tables, are recounted together by a handful of ``INSERT … SELECT … GROUP BY`` statements
over the cases reported or closed that day there; ``rebuild`` runs the very same statements
over every case at once (one pass per table and kind of row), so a recount and a rebuild
cannot disagree.

When a case, its callback or its timeline changes, ``signals.py`` calls ``mark`` with the
keys it touched (before and after: a case can change place, category, unit, state, closing
day). ``mark`` writes them to ``StaleDay`` in the same transaction (durable: a crash loses
nothing) and recounts them once after the commit, whatever number of saves the request
made. ``refresh_stale`` recounts what is still marked; ``tick`` (periodic) also marks the
days whose sign-for deadlines passed since it last ran, the one figure that changes with
the clock alone (the response rate's base).

Histogram buckets for durations: ``EDGES`` (seconds), 1 minute × 1.25^k up to about a year;
bucket i holds EDGES[i-1] ≤ d < EDGES[i] (bucket 0: under a minute, the last: beyond the
last edge). A median or 90th percentile read from them is interpolated within its bucket,
so it is off by at most one bucket's width: 25 % of the value, usually far less.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Case as Switch
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Substr, TruncDate, TruncMonth
from django.utils import timezone

from gongzhi.cases.choices import FINAL_STATES, Satisfaction
from gongzhi.cases.models import Callback, Case, CaseEvent
from gongzhi.cases.stats import TOWNSHIP_PATH_LEN

from .models import (
    CaseDay,
    CaseMonth,
    DurationDay,
    DurationMonth,
    GridDay,
    GridMonth,
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


def cohort_measures(now) -> dict:
    """The measures of the cases reported on a day, as they are now (``cases.stats``'s
    definitions: the same filters, so both agree)."""
    returned = CaseEvent.objects.filter(case=OuterRef("pk"), action="return")
    return {
        "reported": Count("id"),
        "open": Count("id", filter=~Q(state__in=FINAL_STATES)),
        "overdue": Count("id", filter=Q(is_overdue=True)),
        "returned": Count("id", filter=Q(Exists(returned))),
        "response_base": Count(
            "id",
            filter=Q(sign_for_due__isnull=False)
            & (Q(signed_at__isnull=False) | Q(sign_for_due__lt=now)),
        ),
        "responded": Count("id", filter=Q(sign_for_met=True)),
        "rated": Count("id", filter=Q(rating__isnull=False)),
        "solved": Count("id", filter=Q(rating_resolved=True)),
        "satisfied": Count("id", filter=Q(rating__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])),
    }


def _keyed(cases, day_field: str, dims) -> tuple[object, list[str]]:
    """``cases`` grouped by (day, township, *dims): the queryset and its columns in order."""
    columns = {
        "k_day": TruncDate(day_field),
        "k_region_path": Substr("region_path", 1, TOWNSHIP_PATH_LEN),
        **{f"k_{d}": DIMENSIONS[d]() for d in dims},
    }
    return cases.order_by().values(**columns), [c[2:] for c in columns]


def _insert(model, queryset, columns: list[str]) -> int:
    """INSERT INTO model (columns) <queryset's SELECT>: the database counts, nothing comes
    back to Python."""
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    selected = list(queryset.query.annotation_select)
    assert len(selected) == len(columns), (selected, columns)
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)
        return max(cursor.rowcount, 0)


def _bucket():
    whens = [
        When(
            **{"k_end__lt": F("k_start") + timedelta(seconds=edge)},
            then=Value(i),
        )
        for i, edge in enumerate(EDGES)
    ]
    return Switch(*whens, default=Value(len(EDGES)))


DURATION_SPANS = {
    # kind: (start, end) of the span measured
    DurationDay.Kind.SIGN: ("dispatched_at", "signed_at"),
    DurationDay.Kind.RESOLVE: ("created_at", "resolved_at"),
}


def _count(reported, closed, now) -> int:
    """Insert every row counting the cases ``reported`` (cohort rows, durations) and
    ``closed`` (closing rows)."""
    rows = 0
    for model, dims in TABLES.items():
        grouped, columns = _keyed(_rated(reported), "created_at", dims)
        measures = cohort_measures(now)
        rows += _insert(model, grouped.annotate(**measures), [*columns, *measures])
        grouped, columns = _keyed(closed.filter(closed_at__isnull=False), "closed_at", dims)
        rows += _insert(model, grouped.annotate(closed=Count("id")), [*columns, "closed"])
    for kind, (start, end) in DURATION_SPANS.items():
        spans = reported.filter(**{f"{start}__isnull": False, f"{end}__isnull": False}).annotate(
            k_start=F(start), k_end=F(end)
        )
        grouped, columns = _keyed(spans, "created_at", DURATION_DIMENSIONS)
        grouped = grouped.annotate(k_kind=Value(str(kind)), k_bucket=_bucket()).annotate(
            count=Count("id")
        )
        rows += _insert(DurationDay, grouped, [*columns, "kind", "bucket", "count"])
    return rows


# Each day table and the month table summed from it, with the columns summed.
MONTHS = {
    TownDay: (TownMonth, ("unit",), MEASURES),
    CaseDay: (CaseMonth, ("unit", "category", "channel"), MEASURES),
    GridDay: (GridMonth, ("unit", "grid"), MEASURES),
    DurationDay: (DurationMonth, ("unit", "category", "channel", "kind", "bucket"), ("count",)),
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


DAYS = (TownDay, CaseDay, GridDay, DurationDay)
ALL_MONTHS = (TownMonth, CaseMonth, GridMonth, DurationMonth)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _in_key(field: str, day: date, town: str) -> Q:
    start = _local_midnight(day)
    place = (
        Q(region_path__startswith=town) if len(town) == TOWNSHIP_PATH_LEN else Q(region_path=town)
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
            _count(
                Case.objects.filter(_in_key("created_at", day, town)),
                Case.objects.filter(_in_key("closed_at", day, town)),
                now,
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
        rows = _count(Case.objects.all(), Case.objects.all(), now)
        rows += _roll_months(Q())
        RollupClock.objects.update_or_create(name=SIGN_CLOCK, defaults={"at": now})
    return {
        "rebuilt": True,
        "rows": rows,
        "town_rows": TownDay.objects.count(),
        "case_rows": CaseDay.objects.count(),
        "grid_rows": GridDay.objects.count(),
        "duration_rows": DurationDay.objects.count(),
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
    """The periodic job: mark the days whose sign-for deadlines passed since the last run
    (unsigned cases join the response rate's base then), and recount what is marked."""
    now = now or timezone.now()
    clock = RollupClock.objects.filter(name=SIGN_CLOCK).first()
    since = clock.at if clock else now - timedelta(days=7)
    passed = Case.objects.filter(
        signed_at__isnull=True, sign_for_due__gt=since, sign_for_due__lte=now
    ).values_list("created_at", "region_path", "closed_at")
    keys = set()
    for row in passed.iterator():
        keys |= keys_of(*row)
    with transaction.atomic():
        mark(keys)
        RollupClock.objects.update_or_create(name=SIGN_CLOCK, defaults={"at": now})
    result = refresh_stale()
    return {"deadlines_passed": len(keys), **result}
