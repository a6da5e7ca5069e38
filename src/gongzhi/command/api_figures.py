"""The case figures as JSON (mounted under /api/v1/command), read from the daily rollups
through ``figures`` with the caller's scope:

GET /figures?region=&start=&end=             the period's figures, 环比 and 同比
GET /figures/breakdown?by=&region=&start=&end=   one row per unit, category, channel,
                                              child region (a township: its grids), day
                                              or month
GET /figures/durations?by=&region=&start=&end=   time to sign for and to resolve
GET /figures/grids?region=&start=&end=       reported, open and overdue per grid

A region is given by its code (default: everything the caller may see); a period by its
first and last day, both included (default: the last 30 days), at most three years. Bad
input is refused with the one error shape: 400 (unreadable dates, end before start, too
long, unknown ``by``), 403 (a region outside the caller's scope, or a caller with no
figures to see), 404 (no such region).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gongzhi.core.api import ERRORS, Day
from gongzhi.core.errors import NotAllowed
from gongzhi.core.scope import scope_for

from . import figures

router = Router()
DEFAULT_DAYS = 30


class CommandFiguresQuery(Schema):
    region: str | None = Field(None, max_length=20, description="A region's code.")
    start: Day | None = Field(None, description="The period's first day (default: 29 days ago).")
    end: Day | None = Field(None, description="The period's last day, included (default: today).")


class CommandBreakdownQuery(CommandFiguresQuery):
    by: str = Field(
        ..., max_length=20, description="unit, category, channel, region, day or month."
    )


class CommandDurationsQuery(CommandFiguresQuery):
    by: str | None = Field(None, max_length=20, description="As for the breakdown; optional.")


class CommandCountsOut(Schema):
    reported: int
    closed: int
    open: int
    overdue: int
    returned: int
    response_base: int
    responded: int
    rated: int
    solved: int
    satisfied: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None


class CommandChangeOut(Schema):
    previous: float | None = Field(description="(current − previous) / previous; 环比.")
    last_year: float | None = Field(description="(current − a year before) / a year before; 同比.")


class CommandPeriodOut(Schema):
    start: date
    end: date


class CommandFiguresOut(Schema):
    region: str | None
    current: CommandCountsOut
    previous: CommandCountsOut
    last_year: CommandCountsOut
    periods: dict[str, CommandPeriodOut]
    change: dict[str, CommandChangeOut]


class CommandBreakdownRowOut(CommandCountsOut):
    key: str
    label: str
    code: str | None


class CommandDurationOut(Schema):
    median: float | None
    p90: float | None
    count: int


class CommandDurationRowOut(Schema):
    key: str
    label: str
    code: str | None
    sign: CommandDurationOut
    resolve: CommandDurationOut


class CommandDurationsOut(Schema):
    sign: CommandDurationOut = Field(description="Minutes from dispatch to signing for.")
    resolve: CommandDurationOut = Field(description="Hours from the report to its resolution.")
    rows: list[CommandDurationRowOut] | None = None


class CommandGridOut(Schema):
    grid_id: int
    code: str
    name: str
    reported: int
    open: int
    overdue: int


def _span(request, q: CommandFiguresQuery) -> dict:
    if scope_for(request.user).nothing:
        raise NotAllowed("not_permitted", _("You have no case figures to see."))
    end = q.end or timezone.localdate()
    start = q.start or end - timedelta(days=DEFAULT_DAYS - 1)
    region = figures.region_for(viewer=request.user, code=(q.region or "").strip() or None)
    return {"viewer": request.user, "region": region, "start": start, "end": end}


@router.get("/figures", response={200: CommandFiguresOut, **ERRORS}, summary="Case figures")
def figures_summary(request, q: Query[CommandFiguresQuery]):
    span = _span(request, q)
    compared = figures.compare(**span)
    return {**compared, "region": span["region"].code if span["region"] else None}


def _rows(rows: list[dict]) -> list[dict]:
    return [{**row, "key": str(row["key"])} for row in rows]


@router.get(
    "/figures/breakdown",
    response={200: list[CommandBreakdownRowOut], **ERRORS},
    summary="Case figures broken down",
)
def figures_breakdown(request, q: Query[CommandBreakdownQuery]):
    return _rows(figures.breakdown(**_span(request, q), by=q.by))


@router.get(
    "/figures/durations",
    response={200: CommandDurationsOut, **ERRORS},
    summary="Times to sign for and to resolve",
)
def figures_durations(request, q: Query[CommandDurationsQuery]):
    span = _span(request, q)
    rows = _rows(figures.durations(**span, by=q.by)) if q.by else None
    return {**figures.durations(**span), "rows": rows}


@router.get(
    "/figures/grids", response={200: list[CommandGridOut], **ERRORS}, summary="Figures per grid"
)
def figures_grids(request, q: Query[CommandFiguresQuery]):
    return figures.grid_figures(**_span(request, q))
