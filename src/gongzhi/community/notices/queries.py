"""Selectors for the notices pages and API: a resident's notices, the sender's receipts
(counts, who is waiting by grid, the answers summary). Counts are a few aggregate
queries whatever the audience's size."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q

from gongzhi.accounts.masking import mask_address

from ..choices import AnswerKind, NoticeState
from ..models import NoticeDelivery
from ..reveal import shown
from . import services


def for_household(user):
    """The user's household's notices, newest first, each with its delivery."""
    household = services.household_of(user)
    if not household:
        return NoticeDelivery.objects.none()
    return (
        NoticeDelivery.objects.filter(
            household_id=household, notice__state__in=services.SEEN_BY_RESIDENTS
        )
        .select_related("notice")
        .order_by("-delivered_at", "-id")
    )


def mask_number(number: str) -> str:
    """A household number as staff lists show it: the place part, the rest starred."""
    number = number or ""
    return number[:-4] + "****" if len(number) > 4 else "****" if number else ""


def receipts(notice) -> dict:
    rows = NoticeDelivery.objects.filter(notice=notice)
    asks = notice.answer_kind != AnswerKind.NONE
    totals = rows.aggregate(
        total=Count("id"),
        read=Count("id", filter=Q(read_at__isnull=False)),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        reminded=Count("id", filter=Q(reminded_at__isnull=False)),
    )
    by_grid = list(
        rows.values("grid_id", "grid__name")
        .annotate(
            total=Count("id"),
            unread=Count("id", filter=Q(read_at__isnull=True)),
            unanswered=Count("id", filter=Q(answered_at__isnull=True)),
        )
        .order_by("grid__name", "grid_id")
    )
    for g in by_grid:
        g["grid"] = g.pop("grid__name") or ""
        if not asks:
            g["unanswered"] = 0
    return {
        **totals,
        "asks": asks,
        "unread": totals["total"] - totals["read"],
        "unanswered": totals["total"] - totals["answered"] if asks else 0,
        "by_grid": by_grid,
        "answers": answers_summary(notice),
        "may_remind": notice.state == NoticeState.PUBLISHED
        and notice.reminded_at is None
        and not services.is_expired(notice),
    }


def answers_summary(notice) -> dict:
    """Counts per choice (yes/no, a choice), or count, sum and mean of the numbers."""
    kind = notice.answer_kind
    if kind == AnswerKind.NONE:
        return {}
    values = NoticeDelivery.objects.filter(notice=notice, answered_at__isnull=False).values_list(
        "answer", flat=True
    )
    picked = [a.get("value") for a in values if isinstance(a, dict)]
    if kind == AnswerKind.NUMBER:
        numbers = [v for v in picked if isinstance(v, int | float)]
        total = sum(numbers)
        return {
            "count": len(numbers),
            "sum": total,
            "mean": round(total / len(numbers), 2) if numbers else None,
        }
    options = ["yes", "no"] if kind == AnswerKind.YES_NO else list(notice.answer_choices)
    counted = Counter(picked)
    return {"counts": [{"choice": o, "count": counted.get(o, 0)} for o in options]}


def waiting(notice, *, grid=None, limit=None, reveal=False):
    """The households that have not read (or answered): grid, masked number and address,
    the head's name and phone (masked unless ``reveal``: the caller checks and audits it;
    ``head`` is the person shown)."""
    rows = (
        services.pending(notice)
        .select_related("grid", "household__house", "household__head")
        .order_by("grid__name", "household__number", "id")
    )
    if grid:
        rows = rows.filter(grid_id=grid)
    if limit:
        rows = rows[:limit]
    out = []
    for d in rows:
        name, phone = shown(d.household.head, reveal=reveal)
        out.append(
            {
                "grid": d.grid.name if d.grid else "",
                "household": mask_number(d.household.number),
                "address": mask_address(d.household.house.address),
                "name": name,
                "phone": phone,
                "read": d.read_at is not None,
                "answered": d.answered_at is not None,
                "reminded": d.reminded_at is not None,
                "head": d.household.head,
            }
        )
    return out
