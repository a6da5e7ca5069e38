"""What cases add to the 区划与网格 drill-down (``gongzhi.regions.drill``): open and overdue
counts on every row, and the open cases under each grid, all from ``Case.objects.visible_to``
so a row counts only what its viewer may open."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import masking
from gongzhi.regions.drill import Column, Item, Listing, Tally, register

from .choices import OPEN_STATES
from .models import Case
from .queries import overdue_q


def _open(viewer):
    return Case.objects.visible_to(viewer).open()


def by_region(viewer, paths, now) -> dict[str, dict[str, int]]:
    """Open and overdue cases at or below each region path: one aggregate query."""
    if not paths:
        return {}
    late = overdue_q(now)
    aggregates = {}
    for i, path in enumerate(paths):
        inside = Q(region_path__startswith=path)
        aggregates[f"o{i}"] = Count("pk", filter=inside)
        aggregates[f"l{i}"] = Count("pk", filter=inside & late)
    counts = _open(viewer).aggregate(**aggregates)
    return {
        path: {"open_cases": counts[f"o{i}"] or 0, "overdue_cases": counts[f"l{i}"] or 0}
        for i, path in enumerate(paths)
    }


def by_grid(viewer, grid_ids, now) -> dict[int, dict[str, int]]:
    """Open and overdue cases in each grid: one grouped query."""
    if not grid_ids:
        return {}
    rows = (
        _open(viewer)
        .filter(grid_id__in=grid_ids)
        .order_by()
        .values("grid_id")
        .annotate(open_cases=Count("pk"), overdue_cases=Count("pk", filter=overdue_q(now)))
    )
    return {
        r["grid_id"]: {"open_cases": r["open_cases"], "overdue_cases": r["overdue_cases"]}
        for r in rows
    }


def open_cases(viewer, grid_ids, now, limit) -> dict[int, list[Item]]:
    """The first ``limit`` open cases of each grid, overdue first, then the newest: one query
    (a row number within each grid)."""
    if not grid_ids:
        return {}
    late = ExpressionWrapper(overdue_q(now), output_field=BooleanField())
    cases = (
        _open(viewer)
        .filter(grid_id__in=grid_ids)
        .annotate(late=late)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("grid_id")],
                order_by=[F("late").desc(), F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=limit)
        .only("id", "number", "title", "state", "grid_id", "created_at")
        .order_by("grid_id", "rank")
    )
    found: dict[int, list[Item]] = {}
    for case in cases:
        found.setdefault(case.grid_id, []).append(
            Item(
                url=reverse("cases:detail", args=[case.number]),
                text=f"{case.number} {masking.mask_numbers_in_text(case.title)}",
                note=case.get_state_display(),
                flag="overdue" if case.late else "",
            )
        )
    return found


def queue_of(grid) -> str:
    """The case queue on a grid's open cases."""
    query = [("grid", grid.pk)] + [("state", s) for s in sorted(OPEN_STATES)]
    return reverse("cases:queue") + "?" + urlencode(query)


register(
    Tally(
        "cases",
        (
            Column("open_cases", _("Open cases")),
            Column("overdue_cases", _("Overdue"), flag="overdue"),
        ),
        by_region=by_region,
        by_grid=by_grid,
        order=10,
    ),
    Listing(
        "open_cases",
        _("Open cases in the grid"),
        items=open_cases,
        more=queue_of,
        empty=_("No open cases."),
        order=10,
    ),
)
