"""The three rates a hotline is judged by, computed from the records.

- 响应率 response rate: dispatched cases signed for by their deadline, over dispatched
  cases whose sign-for deadline has been decided (signed for, or passed).
- 解决率 resolution rate: rated cases whose requester said in the callback that the
  problem was solved, over rated cases.
- 满意率 satisfaction rate: cases rated "satisfied" or "basically satisfied", over rated
  cases. The latest callback of a case counts.

Counted apart, in none of the rates: 直接答复 cases the hotline answered on the phone
(``answered``: never dispatched, so outside the response rate, and never rated), and cases
split off another (``split``: each goes through the rates as a case of its own).

And the command centre's own two: 按时受理率 cases accepted by their acceptance deadline,
and 按时派遣率 cases dispatched by their dispatch deadline, each over the cases whose
deadline has been decided (the step taken, or the deadline passed).

Grouped by lead unit, county, township, first-level category or period, over the cases
the viewer may see that were reported in [start, end).
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
# Counted apart from the rates (see above).
APART = ("answered", "withdrawn", "suspended", "split")
# The command centre's own steps (not in the command centre's daily rollups).
COMMAND_COUNTS = ("accept_base", "accepted_in_time", "dispatch_base", "dispatched_in_time")


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def rates(*, viewer, group_by: str = "all", start=None, end=None, now=None) -> list[dict]:
    if group_by not in GROUPS:
        raise ValueError(f"unknown grouping {group_by!r}")
    now = now or timezone.now()
    cases = Case.objects.visible_to(viewer)
    if start:
        cases = cases.filter(created_at__gte=start)
    if end:
        cases = cases.filter(created_at__lt=end)
    latest = Callback.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-id")
    cases = Case.objects.filter(pk__in=cases.values("pk")).annotate(
        rating=Subquery(latest.values("satisfaction")[:1]),
        rating_resolved=Subquery(latest.values("resolved")[:1]),
        key=GROUPS[group_by](),
    )
    rows = list(
        cases.values("key")
        .annotate(
            total=Count("id"),
            response_base=Count(
                "id",
                filter=Q(sign_for_due__isnull=False)
                & (Q(signed_at__isnull=False) | Q(sign_for_due__lt=now)),
            ),
            responded=Count("id", filter=Q(sign_for_met=True)),
            rated=Count("id", filter=Q(rating__isnull=False)),
            solved=Count("id", filter=Q(rating_resolved=True)),
            satisfied=Count(
                "id", filter=Q(rating__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])
            ),
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
            withdrawn=Count("id", filter=Q(state=State.WITHDRAWN)),
            suspended=Count("id", filter=Q(state=State.SUSPENDED)),
            split=Count("id", filter=Q(split_from__isnull=False)),
        )
        .order_by("key")
    )
    names = _region_names(group_by, rows)
    return [
        {
            "key": str(row["key"]) if row["key"] is not None else "",
            "label": names.get(row["key"], row["key"]),
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
            "apart": {k: row[k] for k in APART},
        }
        for row in rows
    ]


def _region_names(group_by: str, rows) -> dict:
    if group_by not in {"county", "township"}:
        return {}
    paths = [r["key"] for r in rows if r["key"]]
    codes = {p: p.rstrip("/").rsplit("/", 1)[-1] for p in paths}
    names = dict(Region.objects.filter(code__in=codes.values()).values_list("code", "name"))
    return {p: names.get(code, p) for p, code in codes.items()}
