"""``cases.stats``' rates counted from the rollups instead of every case (issue 25).

Registered as a source of ``cases.stats`` (``apps.ready``): cases may not import this app.
The rollups are keyed by reporting day, township, lead unit and first-level category, so
they answer a period of whole local days, grouped by unit, category, county, township, day,
week, month or not at all, for the cases of places (region path prefixes down to a
township). What a viewer sees beyond their places (cases they reported, or that their units
lead, command or help with elsewhere) is counted from the records, through indexes on
those columns and the path that read only the cases outside the places. Anything else (a
territory finer than a township, a unit's own cases only, a period not cut at midnight)
answers None: the records count it.

Read like ``figures``: the few keys still marked stale are recounted first.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.db.models import F, Lookup, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from gongzhi.accounts.models import Organisation
from gongzhi.cases import stats
from gongzhi.cases.models import Case
from gongzhi.core.scope import scope_for
from gongzhi.taxonomy.models import Category

from . import figures
from .models import CaseDay, CaseMonth, TownDay, TownMonth

# The rollup column each grouping reads (the period groupings read the day).
KEYS = {
    "unit": lambda: F("unit"),
    "category": lambda: F("category"),
    "county": lambda: Substr("region_path", 1, stats.COUNTY_PATH_LEN),
    "township": lambda: Substr("region_path", 1, stats.TOWNSHIP_PATH_LEN),
    "day": lambda: F("day"),
    "week": lambda: F("day"),
    "month": lambda: F("day"),
    "all": None,  # one row: summed whole
}
SUMS = {m: Sum("reported" if m == "total" else m) for m in stats.MEASURES}


class _Before(Lookup):
    """``path < value`` in byte order, which a varchar_pattern_ops index serves on
    PostgreSQL whatever the database's collation (SQLite compares bytes anyway)."""

    lookup_name = "rates_before"
    operators = ("~<~", "<")  # PostgreSQL's byte-order operator, and SQLite's

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        op = self.operators[0] if connection.vendor == "postgresql" else self.operators[1]
        return f"{lhs} {op} {rhs}", [*lhs_params, *rhs_params]


class _From(_Before):
    lookup_name = "rates_from"
    operators = ("~>=~", ">=")


def outside(paths) -> Q:
    """The cases whose region path starts with none of these prefixes, as ranges of the path
    (a prefix "/a/b/" holds exactly the paths from "/a/b/" to "/a/b0", '0' following '/')."""
    bounds = sorted((p, p[:-1] + chr(ord(p[-1]) + 1)) for p in paths)
    gaps, low = [], None
    for start, stop in bounds:
        below = _Before(F("region_path"), start)
        gaps.append(Q(below) if low is None else Q(_From(F("region_path"), low)) & Q(below))
        low = stop if low is None else max(low, stop)
    gaps.append(Q(_From(F("region_path"), low)))
    return reduce(or_, gaps)


def _extras(viewer, scope):
    """The cases the viewer sees outside their places: each way of seeing one, by itself
    (an index each), outside the places."""
    away = outside(scope.territory_paths)
    ways = [Q(reporter=viewer)]
    if scope.organisation_paths:
        units = reduce(or_, (Q(path__startswith=p) for p in scope.organisation_paths))
        ids = list(Organisation.objects.filter(units).values_list("pk", flat=True))
        # Ids first: a subquery inside the OR would make the database read every case.
        helped = list(
            Case.objects.filter(away, co_handlers__organisation__in=ids).values_list(
                "pk", flat=True
            )
        )
        ways += [Q(owner__in=ids), Q(command__in=ids), Q(pk__in=helped)]
    return Case.objects.filter(reduce(or_, (way & away for way in ways)))


def _days(start, end) -> tuple[date | None, date | None] | None:
    """[start, end) as local days (end inclusive), or None when either is not a midnight."""
    out = []
    for at in (start, end):
        if at is None:
            out.append(None)
            continue
        local = timezone.localtime(at) if timezone.is_aware(at) else at
        if local.time() != time.min:
            return None
        out.append(local.date())
    first, following = out
    return first, following - timedelta(days=1) if following else None


def _parts(lo: date | None, hi: date | None, *, daily: bool) -> tuple[Q, Q]:
    """[lo, hi] (None: unbounded) as (its whole months, for a month table; its other days,
    for a day table)."""
    span = Q(day__gte=lo) if lo else Q()
    if hi:
        span &= Q(day__lte=hi)
    nothing = Q(pk__in=[])
    if daily:
        return nothing, span
    month_of = figures.rollups.month_of
    first = lo if lo is None or lo.day == 1 else month_of(lo)[1] + timedelta(days=1)
    last = None  # the first day of the last whole month
    if hi is not None:
        last = month_of(hi if hi == month_of(hi)[1] else hi.replace(day=1) - timedelta(1))[0]
    if first is not None and last is not None and first > last:
        return nothing, span
    months, days = Q(), nothing
    if first is not None:
        months &= Q(day__gte=first)
        days |= span & Q(day__lt=first)
    if last is not None:
        months &= Q(day__lte=last)
        days |= span & Q(day__gt=month_of(last)[1])
    return months, days


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _relabel(group_by: str, key):
    """The rollup's key as ``cases.stats`` keys the records."""
    if group_by == "all":
        return "all"
    if group_by == "day":
        return _midnight(key)
    if group_by == "week":
        return _midnight(key - timedelta(days=key.weekday()))
    if group_by == "month":
        return _midnight(key.replace(day=1))
    return key


def _named(group_by: str, counted: dict) -> dict:
    """Unit and category ids as the names the records group by (two units of one name are
    one row there too)."""
    if group_by == "unit":
        names = dict(Organisation.objects.filter(pk__in=counted).values_list("pk", "name"))
    elif group_by == "category":
        names = dict(Category.objects.filter(pk__in=counted).values_list("pk", "name"))
    else:
        return counted
    out: dict = {}
    for key, counts in counted.items():
        stats.add(out, {names.get(key, ""): counts})
    return out


def rollup_rates(*, viewer, group_by: str, start=None, end=None) -> dict | None:
    """{key: counts} as ``cases.stats.count`` would count the viewer's cases, or None."""
    period = _days(start, end)
    if group_by not in KEYS or period is None or not getattr(viewer, "is_authenticated", False):
        return None
    scope = scope_for(viewer)
    if scope.everything:
        where, extras = Q(), None
    elif scope.territory_paths and not any(
        len(p) > stats.TOWNSHIP_PATH_LEN for p in scope.territory_paths
    ):
        where = reduce(or_, (Q(region_path__startswith=p) for p in scope.territory_paths))
        extras = _extras(viewer, scope)
    else:
        return None
    figures._fresh()
    day_model, month_model = (
        (CaseDay, CaseMonth) if group_by == "category" else (TownDay, TownMonth)
    )
    months, days = _parts(*period, daily=group_by in ("day", "week"))
    counted: dict = {}
    for model, part in ((month_model, months), (day_model, days)):
        rows = model.objects.filter(where).filter(part).order_by()
        if group_by == "all":
            total = rows.aggregate(**SUMS)
            rows = [{"k": "all", **total}] if total["total"] is not None else []
        else:
            rows = rows.annotate(k=KEYS[group_by]()).values("k").annotate(**SUMS)
        for row in rows:
            stats.add(counted, {_relabel(group_by, row["k"]): row})
    counted = _named(group_by, counted)
    if extras is not None:
        lo, hi = period
        if lo:
            extras = extras.filter(created_at__gte=_midnight(lo))
        if hi:
            extras = extras.filter(created_at__lt=_midnight(hi + timedelta(days=1)))
        stats.add(counted, stats.count(extras, group_by=group_by, now=timezone.now()))
    return counted
