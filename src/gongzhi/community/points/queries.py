"""Selectors for the points pages and the API: a household's account and entries, the
villages a committee keeps, a village's ranking (积分榜) and its month's figures."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import timezone

from gongzhi.accounts.masking import mask_name
from gongzhi.core.scope import scope_for
from gongzhi.people import members
from gongzhi.regions.models import Region

from ..models import PointAccount, PointEntry, Redemption


def entries(user, *, household_id=None, region_path=None, limit=50):
    rows = PointEntry.objects.visible_to(user).select_related(
        "rule", "account__household", "reversed_by"
    )
    if household_id is not None:
        rows = rows.filter(account__household_id=household_id)
    if region_path:
        rows = rows.filter(region_path__startswith=region_path)
    return list(rows[:limit])


def kept_regions(user) -> list[Region]:
    """The villages and communities whose committee the user is on (their points desk)."""
    scope = scope_for(user)
    if scope.everything:
        return list(Region.objects.filter(level="community").order_by("path"))
    paths = members.committee_paths(scope)
    if not paths:
        return []
    q = Q()
    for path in paths:
        q |= Q(path__startswith=path)
    return list(Region.objects.filter(q, level="community").order_by("path"))


def head_name(household) -> str:
    head = household.head
    return head.name if head is not None else household.number


def ranking(region, *, limit=20) -> list[dict]:
    """The village's households by balance, names masked (the board is public)."""
    rows = (
        PointAccount.objects.filter(region=region, balance__gt=0)
        .select_related("household__head")
        .order_by("-balance", "household_id")[:limit]
    )
    return [
        {
            "rank": i,
            "household": mask_name(head_name(a.household)),
            "balance": a.balance,
            "earned": a.earned,
        }
        for i, a in enumerate(rows, 1)
    ]


def month_figures(region, *, on: dt.date | None = None) -> dict:
    """The month's points in a village: awarded (net of deductions and reversals), redeemed,
    and the households holding points now."""
    on = on or timezone.localdate()
    start = timezone.make_aware(dt.datetime(on.year, on.month, 1))
    end = timezone.make_aware(dt.datetime(on.year + (on.month == 12), on.month % 12 + 1, 1))
    month = PointEntry.objects.filter(
        region_path__startswith=region.path, created_at__gte=start, created_at__lt=end
    )
    awarded = month.filter(redemption__isnull=True).aggregate(
        up=Sum("points", filter=Q(points__gt=0)), down=Sum("points", filter=Q(points__lt=0))
    )
    redeemed = Redemption.objects.filter(
        region_path__startswith=region.path, created_at__gte=start, created_at__lt=end
    ).aggregate(points=Sum("points"), n=Count("id"))
    return {
        "month": on.strftime("%Y-%m"),
        "awarded": awarded["up"] or 0,
        "deducted": -(awarded["down"] or 0),
        "redeemed": redeemed["points"] or 0,
        "redemptions": redeemed["n"] or 0,
        "households": PointAccount.objects.filter(
            region_path__startswith=region.path, balance__gt=0
        ).count(),
    }
