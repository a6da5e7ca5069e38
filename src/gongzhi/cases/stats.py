"""The three rates a hotline is judged by, computed from the records.

- 响应率 response rate: dispatched cases signed for by their deadline, over dispatched
  cases whose sign-for deadline has been decided (signed for, or passed).
- 解决率 resolution rate: rated cases whose requester said in the callback that the
  problem was solved, over rated cases.
- 满意率 satisfaction rate: cases rated "satisfied" or "basically satisfied", over rated
  cases. The latest callback of a case counts.

Counted apart, in none of the rates: 直接答复 cases the hotline answered on the phone
(``answered``: never dispatched, so outside the response rate, and never rated). A case
split off another goes through the rates as a case of its own.

And the command centre's own two: 按时受理率 cases accepted by their acceptance deadline,
and 按时派遣率 cases dispatched by their dispatch deadline, each over the cases whose
deadline has been decided (the step taken, or the deadline passed).

Grouped by lead unit, county, township, first-level category or period, over the cases
the viewer may see that were reported in [start, end). Counted from the records, or by a
registered source that counts the same from rollups (``register_source``): the command
centre's, which the records cannot import.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Substr, TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from gongzhi.regions.models import Region

from .choices import Satisfaction, State
from .models import Callback, Case

# Region paths are "/PPPPPP/CCCCCC/KKKKKK/TTTTTTTTT/…": fixed-width codes per level.
COUNTY_PATH_LEN = 22
TOWNSHIP_PATH_LEN = 32

GROUPS = {
    "unit": lambda: Coalesce("owner__name", Value("")),
    "county": lambda: Substr("region_path", 1, COUNTY_PATH_LEN),
    "township": lambda: Substr("region_path", 1, TOWNSHIP_PATH_LEN),
    "category": lambda: Coalesce(
        "category__parent__parent__name", "category__parent__name", "category__name"
    ),
    "day": lambda: TruncDay("created_at"),
    "week": lambda: TruncWeek("created_at"),
    "month": lambda: TruncMonth("created_at"),
    "all": lambda: Value("all"),
}


COUNTS = ("response_base", "responded", "rated", "solved", "satisfied")
# The command centre's own steps.
COMMAND_COUNTS = ("accept_base", "accepted_in_time", "dispatch_base", "dispatched_in_time")
# What a source counts per key: every figure of a row.
MEASURES = ("total", "overdue", *COUNTS, *COMMAND_COUNTS, "answered")

# Faster sources of the very same counts (the command centre's rollups), registered at
# start-up by apps above this one: each answers {key: counts} or None when it cannot count
# exactly what the records would (a scope or a period its keys do not express).
_sources: list = []


def register_source(source) -> None:
    if source not in _sources:
        _sources.append(source)


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def rates(*, viewer, group_by: str = "all", start=None, end=None, now=None) -> list[dict]:
    """The rates of the cases the viewer may see reported in [start, end), per group. A
    given ``now`` is counted from the records (a source counts as of its last recount)."""
    if group_by not in GROUPS:
        raise ValueError(f"unknown grouping {group_by!r}")
    counted = None
    if now is None:
        for source in _sources:
            counted = source(viewer=viewer, group_by=group_by, start=start, end=end)
            if counted is not None:
                break
    if counted is None:
        cases = Case.objects.visible_to(viewer)
        if start:
            cases = cases.filter(created_at__gte=start)
        if end:
            cases = cases.filter(created_at__lt=end)
        counted = count(cases, group_by=group_by, now=now or timezone.now())
    return rows_of(group_by, counted)


def count(cases, *, group_by: str, now) -> dict:
    """{key: {measure: n}} counted from these cases' records."""
    latest = Callback.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-id")
    if cases.query.distinct:  # grouped, a distinct queryset would count its rows apart
        cases = Case.objects.filter(pk__in=cases.values("pk"))
    cases = cases.annotate(
        rating=Subquery(latest.values("satisfaction")[:1]),
        rating_resolved=Subquery(latest.values("resolved")[:1]),
        key=GROUPS[group_by](),
    )
    rows = cases.values("key").annotate(
        total=Count("id"),
        response_base=Count(
            "id",
            filter=Q(sign_for_due__isnull=False)
            & (Q(signed_at__isnull=False) | Q(sign_for_due__lt=now)),
        ),
        responded=Count("id", filter=Q(sign_for_met=True)),
        rated=Count("id", filter=Q(rating__isnull=False)),
        solved=Count("id", filter=Q(rating_resolved=True)),
        satisfied=Count("id", filter=Q(rating__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])),
        overdue=Count("id", filter=Q(is_overdue=True)),
        accept_base=Count(
            "id",
            filter=Q(accept_due__isnull=False)
            & (Q(accept_met__isnull=False) | Q(accept_due__lt=now)),
        ),
        accepted_in_time=Count("id", filter=Q(accept_met=True)),
        dispatch_base=Count(
            "id",
            filter=Q(dispatch_due__isnull=False)
            & (Q(dispatch_met__isnull=False) | Q(dispatch_due__lt=now)),
        ),
        dispatched_in_time=Count("id", filter=Q(dispatch_met=True)),
        answered=Count("id", filter=Q(state=State.ANSWERED)),
    )
    return {row["key"]: {m: row[m] for m in MEASURES} for row in rows.order_by()}


def add(counted: dict, more: dict) -> dict:
    """Counts of two disjoint sets of cases, key by key."""
    for key, counts in more.items():
        mine = counted.setdefault(key, dict.fromkeys(MEASURES, 0))
        for m in MEASURES:
            mine[m] += counts.get(m) or 0
    return counted


def rows_of(group_by: str, counted: dict) -> list[dict]:
    """The rows of the rates, in the order of their keys (Python's: the same whichever
    source counted them)."""
    names = _region_names(group_by, counted)
    return [
        {
            "key": str(key) if key is not None else "",
            "label": names.get(key, key),
            "total": row["total"],
            "overdue": row["overdue"],
            "response_rate": _ratio(row["responded"], row["response_base"]),
            "resolution_rate": _ratio(row["solved"], row["rated"]),
            "satisfaction_rate": _ratio(row["satisfied"], row["rated"]),
            "accept_rate": _ratio(row["accepted_in_time"], row["accept_base"]),
            "dispatch_rate": _ratio(row["dispatched_in_time"], row["dispatch_base"]),
            "counts": {k: row[k] for k in COUNTS},
            "command_counts": {k: row[k] for k in COMMAND_COUNTS},
            "answered": row["answered"],
            "apart": {"answered": row["answered"]},
        }
        for key, row in sorted(counted.items(), key=lambda i: (i[0] is None, i[0] or ""))
        if row["total"]
    ]


def _region_names(group_by: str, keys) -> dict:
    if group_by not in {"county", "township"}:
        return {}
    paths = [k for k in keys if k]
    codes = {p: p.rstrip("/").rsplit("/", 1)[-1] for p in paths}
    names = dict(Region.objects.filter(code__in=codes.values()).values_list("code", "name"))
    return {p: names.get(code, p) for p, code in codes.items()}
