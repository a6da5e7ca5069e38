"""The case figures every room of the command centre reads: read from the daily rollups
(``models/rollups.py``), never by scanning cases, in a constant number of queries a call.

Periods are local dates, both ends inclusive. ``region`` is a ``Region`` or None (all the
viewer may see). Definitions are ``cases.stats``' (the same filters count the rollups):

* reported: cases created in the period; closed: cases whose ``closed_at`` is in it;
* open, overdue (flagged ``is_overdue``), returned (sent back by a unit at least once) and
  the three rates' counts: over the cases reported in the period, as they are now;
* ``returns_by_unit``: the returns made in the period, per unit that made them (考核's
  penalty: the breakdown's "returned" is by the case's lead unit, which a return clears).

Scope, as close to ``Case.objects.visible_to`` as daily rows allow: the places a viewer
governs (region path prefix) or the cases their units lead (a co-handled case counts for its
lead unit only, and a case a viewer sees only as its reporter or as its command centre
outside their territory is not counted). A territory below a township (a grid worker's
community) is read from the grid rows, which have no category or channel: breakdowns by
those leave such a territory out.

The rollups are kept current after each commit; a read first recounts whatever is still
marked stale (read-your-writes, and a test's transaction that never commits). The response
rate's base grows when an unsigned case's sign-for deadline passes: that is counted by the
periodic ``rollups.tick``, so it may lag by one tick.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.db.models import F, Q, Sum
from django.db.models.functions import Substr, TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation
from gongzhi.accounts.roles import STAFF_DESK
from gongzhi.cases.choices import OPEN_STATES, Channel, State
from gongzhi.cases.stats import TOWNSHIP_PATH_LEN
from gongzhi.core.errors import ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Grid, Region, RegionLevel
from gongzhi.taxonomy.models import Category

from . import rollups
from .models import (
    CaseDay,
    CaseMonth,
    DurationDay,
    DurationMonth,
    GridDay,
    GridMonth,
    ReturnDay,
    ReturnMonth,
    StaleDay,
    TownDay,
    TownMonth,
)
from .models.rollups import MEASURES

__all__ = [
    "MEASURES",
    "BY",
    "FigureError",
    "region_for",
    "summary",
    "breakdown",
    "compare",
    "durations",
    "grid_figures",
    "records_url",
    "daily_counts",
    "returns_by_unit",
]

BY = ("unit", "category", "channel", "region", "day", "month")
MAX_DAYS = 3 * 366  # a period at most three years long
# The length of a region path at each level ("/630000/630200/630202/630202100/…").
PATH_LEN = {
    RegionLevel.PROVINCE: 8,
    RegionLevel.CITY: 15,
    RegionLevel.COUNTY: 22,
    RegionLevel.TOWNSHIP: TOWNSHIP_PATH_LEN,
}
CHILD = {
    RegionLevel.PROVINCE: RegionLevel.CITY,
    RegionLevel.CITY: RegionLevel.COUNTY,
    RegionLevel.COUNTY: RegionLevel.TOWNSHIP,
}
RATES = {
    "response_rate": ("responded", "response_base"),
    "resolution_rate": ("solved", "rated"),
    "satisfaction_rate": ("satisfied", "rated"),
    # The command centre's own (按时受理率, 按时派遣率), as cases.stats counts them.
    "accept_rate": ("accepted_in_time", "accept_base"),
    "dispatch_rate": ("dispatched_in_time", "dispatch_base"),
}
# Measures with a queue listing of exactly their records (``records_url``).
LISTED = ("reported", "closed", "open", "overdue", "returned")
FRESH_LIMIT = 50  # stale keys one read recounts first at most (the watcher does the rest)


class FigureError(ServiceError):
    """A figure asked for a region the viewer may not see, or for a period that is not one."""

    def __init__(self, code: str, message: str, field: str | None = None, status: int = 400):
        super().__init__(code, message, field)
        self.status = status


# -- input -------------------------------------------------------------------------------------


def region_for(*, viewer, code: str | None) -> Region | None:
    """The region a code names, if the viewer may see it (None for no code: everything)."""
    if not code:
        return None
    region = Region.objects.filter(code=code).only("id", "code", "name", "level", "path").first()
    if region is None:
        raise FigureError(
            "unknown_region",
            _("There is no region with the code %(code)s.") % {"code": code},
            "region",
            status=404,
        )
    scope = scope_for(viewer)
    if not (scope.covers_region_path(region.path) or scope.governs_region_path(region.path)):
        raise FigureError(
            "region_not_visible",
            _("You may not see the figures of %(name)s.") % {"name": region.name},
            "region",
            status=403,
        )
    return region


def _period(start, end) -> None:
    if not isinstance(start, date) or not isinstance(end, date):
        raise FigureError("bad_period", _("A period needs a start and an end date."), "start")
    if end < start:
        raise FigureError("bad_period", _("The end date is before the start date."), "end")
    if (end - start).days + 1 > MAX_DAYS:
        raise FigureError("bad_period", _("A period may be at most three years long."), "end")


def _fresh() -> None:
    if StaleDay.objects.exists():
        rollups.refresh_stale(limit=FRESH_LIMIT)


# -- which rows ------------------------------------------------------------------------------


def _deep(path: str) -> bool:
    return len(path) > TOWNSHIP_PATH_LEN


def _grids_under(path: str):
    return Grid.objects.filter(region_path__startswith=path).values("id")


def _where(viewer, region, *, grid_rows: bool) -> Q:
    """The rows of the viewer's scope inside ``region`` (a condition on a rollup table)."""
    scope = scope_for(viewer)
    if scope.everything:
        where = Q()
    else:
        where = Q(pk__in=[])
        for path in scope.territory_paths:
            if not _deep(path):
                where |= Q(region_path__startswith=path)
            elif grid_rows:
                where |= Q(grid__in=_grids_under(path))
        if scope.organisation_paths:
            units = Q()
            for path in scope.organisation_paths:
                units |= Q(path__startswith=path)
            where |= Q(unit__in=Organisation.objects.filter(units).values("id"))
    if region is not None:
        if _deep(region.path):
            where &= Q(grid__in=_grids_under(region.path))
        else:
            where &= Q(region_path__startswith=region.path)
    return where


def needs_grid_rows(viewer, region) -> bool:
    scope = scope_for(viewer)
    return (region is not None and _deep(region.path)) or (
        not scope.everything and any(_deep(p) for p in scope.territory_paths)
    )


MONTH_OF = {
    TownDay: TownMonth,
    CaseDay: CaseMonth,
    GridDay: GridMonth,
    DurationDay: DurationMonth,
    ReturnDay: ReturnMonth,
}


def _split(start: date, end: date) -> tuple[Q, Q]:
    """The period as (its whole months, for a month table; its other days, for a day
    table). Both are always asked, an empty range included: the same queries every time."""
    first = start if start.day == 1 else rollups.month_of(start)[1] + timedelta(days=1)
    last = end if end == rollups.month_of(end)[1] else end.replace(day=1) - timedelta(days=1)
    if first > last:  # no whole month inside
        return Q(day__gte=start, day__lt=start), Q(day__gte=start, day__lte=end)
    months = Q(day__gte=first, day__lte=last.replace(day=1))
    days = Q(day__gte=start, day__lt=first) | Q(day__gt=last, day__lte=end)
    return months, days


def _parts(model, where: Q, start: date, end: date, *, daily: bool = False) -> list:
    """The querysets that together hold the period's rows of ``model`` (a day table);
    ``daily``: every day from the day table (the month table's part is empty)."""
    months, days = _split(start, end)
    if daily:
        months, days = Q(day__gte=start, day__lt=start), Q(day__gte=start, day__lte=end)
    return [
        MONTH_OF[model].objects.filter(where).filter(months).order_by(),
        model.objects.filter(where).filter(days).order_by(),
    ]


def _rows(viewer, region, start, end, *, table=None, daily: bool = False) -> list:
    grid_rows = table is GridDay or (table is None and needs_grid_rows(viewer, region))
    model = GridDay if grid_rows else (table or TownDay)
    where = _where(viewer, region, grid_rows=grid_rows)
    return _parts(model, where, start, end, daily=daily)


def _add(total: dict, row: dict, names) -> dict:
    for name in names:
        total[name] = (total.get(name) or 0) + (row.get(name) or 0)
    return total


def _sums(**filters) -> dict:
    return {m: Sum(m, **filters) for m in MEASURES}


def _with_rates(counts: dict) -> dict:
    out = {m: counts.get(m) or 0 for m in MEASURES}
    for rate, (num, base) in RATES.items():
        out[rate] = round(out[num] / out[base], 4) if out[base] else None
    return out


# -- the figures -------------------------------------------------------------------------------


def summary(*, viewer, region=None, start: date, end: date) -> dict:
    _period(start, end)
    _fresh()
    total: dict = {}
    for rows in _rows(viewer, region, start, end):
        _add(total, rows.aggregate(**_sums()), MEASURES)
    return _with_rates(total)


def _last_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _change(now: int, before: int) -> float | None:
    return round((now - before) / before, 4) if before else None


def compare(*, viewer, region=None, start: date, end: date) -> dict:
    """The period, the same length just before it (环比) and the same dates a year before
    (同比): two queries each."""
    _period(start, end)
    _fresh()
    length = (end - start).days + 1
    periods = {
        "current": (start, end),
        "previous": (start - timedelta(days=length), start - timedelta(days=1)),
        "last_year": (_last_year(start), _last_year(end)),
    }
    out = {}
    for name, (a, b) in periods.items():
        total: dict = {}
        for rows in _rows(viewer, region, a, b):
            _add(total, rows.aggregate(**_sums()), MEASURES)
        out[name] = _with_rates(total)
    out["periods"] = {name: {"start": a, "end": b} for name, (a, b) in periods.items()}
    out["change"] = {
        m: {
            "previous": _change(out["current"][m], out["previous"][m]),
            "last_year": _change(out["current"][m], out["last_year"][m]),
        }
        for m in MEASURES
    }
    return out


def _check_by(by: str) -> None:
    if by not in BY:
        raise FigureError(
            "unknown_grouping",
            _("Figures can be broken down by: %(choices)s.") % {"choices": ", ".join(BY)},
            "by",
        )


def _home(viewer, region):
    """The region ``by="region"`` splits: the one asked for, else the viewer's one place
    (a county leader's county), else the whole city (by county)."""
    if region is not None:
        return region
    scope = scope_for(viewer)
    places = scope.territory_paths or scope.region_paths
    if not scope.everything and len(places) == 1:
        return Region.objects.filter(path=places[0]).only("code", "name", "level", "path").first()
    return None


def _key(viewer, region, by: str, *, grids: bool = True):
    """(the key expression, the table it needs or None, the child level for regions, the
    region split). ``grids=False``: a township is not split (durations have no grids)."""
    if by == "region":
        home = _home(viewer, region)
        level = home.level if home is not None else None
        if home is not None and level not in CHILD:
            if grids:
                return F("grid"), GridDay, None, home
            return Substr("region_path", 1, TOWNSHIP_PATH_LEN), None, RegionLevel.TOWNSHIP, home
        child = CHILD[level] if home is not None else RegionLevel.COUNTY
        return Substr("region_path", 1, PATH_LEN[child]), None, child, home
    if by == "month":
        return TruncMonth("day"), None, None, region
    table = CaseDay if by in ("category", "channel") else None
    return F(by), table, None, region


def breakdown(*, viewer, region=None, start: date, end: date, by: str) -> list[dict]:
    _check_by(by)
    _period(start, end)
    _fresh()
    key, table, child, home = _key(viewer, region, by)
    if table is CaseDay and needs_grid_rows(viewer, region):
        # The category and channel rollups are kept per township: none finer to read.
        raise FigureError(
            "too_fine",
            _("Figures by category or channel go down to townships, not to communities or grids."),
            "region",
        )
    counted: dict = {}
    for rows in _rows(viewer, region, start, end, table=table, daily=by == "day"):
        for r in rows.annotate(k=key).values("k").annotate(**_sums()):
            counted[r["k"]] = _add(counted.get(r["k"], {}), r, MEASURES)
    return _label(viewer, home, by, child, counted)


def _label(viewer, region, by, child, counted: dict) -> list[dict]:
    """Rows with their key, label and code, in the order a reader expects."""

    def row(key, label, code, counts):
        return {"key": key, "label": label, "code": code, **_with_rates(counts or {})}

    if by == "day":
        return [row(k.isoformat(), k.isoformat(), None, c) for k, c in sorted(counted.items())]
    if by == "month":
        items = sorted(((_as_date(k), c) for k, c in counted.items()), key=lambda i: i[0])
        return [row(k.strftime("%Y-%m"), k.strftime("%Y-%m"), None, c) for k, c in items]
    if by == "channel":
        order = {value: i for i, value in enumerate(Channel.values)}
        return [
            row(k, str(Channel.label_of(k)) if k in order else k, None, c)
            for k, c in sorted(counted.items(), key=lambda i: order.get(i[0], 99))
        ]
    if by == "unit":
        names = dict(Organisation.objects.filter(pk__in=counted).values_list("pk", "name"))
        return sorted(
            (row(k, names.get(k) or _("No lead unit"), None, c) for k, c in counted.items()),
            key=lambda r: (-r["reported"], r["label"]),
        )
    if by == "category":
        cats = {
            c.pk: c
            for c in Category.objects.filter(pk__in=counted).only("pk", "name", "order", "path")
        }
        keyed = sorted(
            counted.items(),
            key=lambda i: (cats[i[0]].order, cats[i[0]].path) if i[0] in cats else (999, ""),
        )
        return [row(k, cats[k].name if k in cats else str(k), None, c) for k, c in keyed]
    # by region
    if child is None:  # a township's grids
        grids = Grid.objects.filter(pk__in=counted).only("pk", "code", "name")
        known = {g.pk: g for g in grids}
        out = [
            row(k, known[k].name, known[k].code, c)
            if k in known
            else row(k, _("Not in a grid"), None, c)
            for k, c in counted.items()
        ]
        return sorted(out, key=lambda r: (r["code"] is None, r["code"] or ""))
    children = Region.objects.filter(level=child).only("code", "name", "path")
    if region is not None:
        children = children.filter(path__startswith=region.path)
    scope = scope_for(viewer)
    out = []
    for r in children.order_by("path"):
        if (
            counted.get(r.path)
            or scope.covers_region_path(r.path)
            or scope.governs_region_path(r.path)
        ):
            out.append(row(r.path, r.name, r.code, counted.pop(r.path, None)))
    # Cases located no deeper than the region itself (or nowhere).
    for k, c in sorted(counted.items()):
        out.append(row(k, _("Not located further"), None, c))
    return out


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


# -- durations ---------------------------------------------------------------------------------


def _quantile(histogram: dict[int, int], q: float) -> float | None:
    """The q-quantile (seconds) of a histogram over ``rollups.EDGES``, interpolated within
    its bucket."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = q * total
    seen = 0
    edges = rollups.EDGES
    for bucket in sorted(histogram):
        n = histogram[bucket]
        if seen + n >= rank:
            low = edges[bucket - 1] if bucket > 0 else 0
            high = edges[bucket] if bucket < len(edges) else low
            return low + (high - low) * ((rank - seen) / n)
        seen += n
    return float(edges[-1])


def _stats(histograms: dict[str, dict[int, int]]) -> dict:
    out = {}
    for kind, divisor in (("sign", 60), ("resolve", 3600)):
        hist = histograms.get(kind, {})
        median, p90 = _quantile(hist, 0.5), _quantile(hist, 0.9)
        out[kind] = {
            "median": round(median / divisor, 1) if median is not None else None,
            "p90": round(p90 / divisor, 1) if p90 is not None else None,
            "count": sum(hist.values()),
        }
    return out


def durations(*, viewer, region=None, start: date, end: date, by: str | None = None):
    """Time to sign for (minutes, dispatched → signed for) and to resolve (hours, reported
    → resolved) of the cases reported in the period: median, 90th percentile (from the
    histograms, see ``rollups``) and how many cases."""
    if by is not None:
        _check_by(by)
    _period(start, end)
    _fresh()
    where = _where(viewer, region, grid_rows=False)
    parts = _parts(DurationDay, where, start, end, daily=by == "day")
    if by is None:
        histograms: dict = {}
        for rows in parts:
            for kind, bucket, n in rows.values_list("kind", "bucket").annotate(n=Sum("count")):
                hist = histograms.setdefault(kind, {})
                hist[bucket] = hist.get(bucket, 0) + n
        return _stats(histograms)
    key, _table, child, home = _key(viewer, region, by, grids=False)
    grouped: dict = {}
    for rows in parts:
        for k, kind, bucket, n in (
            rows.annotate(k=key).values_list("k", "kind", "bucket").annotate(n=Sum("count"))
        ):
            hist = grouped.setdefault(k, {}).setdefault(kind, {})
            hist[bucket] = hist.get(bucket, 0) + n
    counted = {k: {"reported": 0} for k in grouped}
    labelled = _label(viewer, home, by, child, counted)
    out = []
    for r in labelled:
        source = _source_key(by, r["key"], grouped)
        if source is None:
            continue
        out.append(
            {"key": r["key"], "label": r["label"], "code": r["code"], **_stats(grouped[source])}
        )
    return out


def _source_key(by, key, grouped):
    if key in grouped:
        return key
    for k in grouped:  # day and month keys were turned into text
        if by in ("day", "month") and hasattr(k, "strftime"):
            text = k.isoformat() if by == "day" else k.strftime("%Y-%m")
            if text == key:
                return k
    return None


# -- returns -----------------------------------------------------------------------------------


def returns_by_unit(*, viewer, region=None, start: date, end: date) -> dict[int, int]:
    """The returns (退回) made in the period, per unit that made them (the unit that sent the
    case back, not whoever leads it now; returns no unit made are left out). Scoped like the
    rest: the places the viewer governs, or returns made by their own units."""
    _period(start, end)
    _fresh()
    # Returns have grid rows: a territory below a township is read from them.
    where = _where(viewer, region, grid_rows=True)
    counted: dict[int, int] = {}
    for rows in _parts(ReturnDay, where, start, end):
        for unit, n in rows.exclude(unit=0).values_list("unit").annotate(n=Sum("returned")):
            counted[unit] = counted.get(unit, 0) + n
    return counted


def empty_row(key, label) -> dict:
    """A figures row with nothing counted (a unit that only appears through its returns)."""
    return {"key": key, "label": label, "code": None, **_with_rates({})}


# -- grids and records -------------------------------------------------------------------------


def grid_figures(*, viewer, region=None, start: date, end: date) -> list[dict]:
    """Per grid inside the region the viewer may see: reported, open and overdue."""
    _period(start, end)
    _fresh()
    counted: dict = {}
    shown = ("reported", "open", "overdue")
    for rows in _rows(viewer, region, start, end, table=GridDay):
        for r in rows.exclude(grid=0).values("grid").annotate(**{m: Sum(m) for m in shown}):
            counted[r["grid"]] = _add(counted.get(r["grid"], {}), r, shown)
    grids = Grid.objects.visible_to(viewer).filter(is_active=True)
    if region is not None:
        grids = grids.filter(region_path__startswith=region.path)
    out = []
    for grid in grids.only("pk", "code", "name").order_by("code"):
        c = counted.get(grid.pk, {})
        out.append(
            {
                "grid_id": grid.pk,
                "code": grid.code,
                "name": grid.name,
                "reported": c.get("reported") or 0,
                "open": c.get("open") or 0,
                "overdue": c.get("overdue") or 0,
            }
        )
    return out


def records_url(*, viewer, measure: str, region=None, start: date, end: date, **filters):
    """The case queue listing exactly the records a figure counts (None for a viewer who
    has no queue, or for a measure the queue cannot list: the rates' bases)."""
    scope = scope_for(viewer)
    _period(start, end)
    if measure not in LISTED or not (scope.everything or scope.roles & STAFF_DESK):
        return None
    params: list[tuple[str, str]] = []
    if measure == "closed":
        params += [("closed_from", start.isoformat()), ("closed_to", end.isoformat())]
    else:
        params += [("date_from", start.isoformat()), ("date_to", end.isoformat())]
    if measure == "open":
        params += [("state", s) for s in State.values if s in OPEN_STATES]
    elif measure == "overdue":
        params.append(("flagged_overdue", "on"))
    elif measure == "returned":
        params.append(("returned", "on"))
    if region is not None and region.level in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
        params.append(("region", region.code))
    elif region is not None and region.level not in (RegionLevel.PROVINCE, RegionLevel.CITY):
        return None  # the queue's places go down to townships
    for name in ("unit", "category", "channel", "grid"):
        value = filters.get(name)
        if name in ("unit", "grid") and value in (0, "0"):
            params.append((name, "none"))  # the rows of cases without a lead unit, a grid
        elif value not in (None, ""):
            params.append((name, str(value)))
    return f"{reverse('cases:queue')}?{urlencode(params)}"


def daily_counts(*, start: date, end: date, level: str = "township") -> list[tuple]:
    """Unscoped, for the system's own jobs (early warnings): (day, region path, first-level
    category id, reports that day) for every township (or county) with reports."""
    _period(start, end)
    if level not in ("township", "county"):
        raise FigureError("bad_level", _("Counts are per township or per county."), "level")
    _fresh()
    length = PATH_LEN[RegionLevel.TOWNSHIP if level == "township" else RegionLevel.COUNTY]
    rows = (
        CaseDay.objects.filter(day__gte=start, day__lte=end)
        .exclude(region_path="")
        .order_by()
        .annotate(place=Substr("region_path", 1, length))
        .values_list("day", "place", "category")
        .annotate(n=Sum("reported"))
        .filter(n__gt=0)
        .order_by("day", "place", "category")
    )
    return [(day, place, category, n) for day, place, category, n in rows]
