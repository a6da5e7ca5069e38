"""GET /api/v1/command/safety: the police's public-safety figures of the caller's townships,
a month each, with the totals a month beside the platform's own reports."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from gongzhi.core.api import ERRORS, Day

from . import safety

router = Router()


class PublicSafetyFilter(Schema):
    region: str | None = Field(
        None, max_length=12, description="a region code (city, county or township); empty: all"
    )
    start: Day | None = Field(
        None, description="first day (its month counts); default: 11 months ago"
    )
    end: Day | None = Field(None, description="last day (its month counts); default: today")


class PublicSafetyRegion(Schema):
    code: str
    name: str
    level: str


class PublicSafetyRow(Schema):
    month: str = Field(description="YYYY-MM")
    township_code: str
    township_name: str
    criminal: int = Field(description="刑事案件")
    public_order: int = Field(description="治安案件")
    fraud: int | None = Field(None, description="电信网络诈骗 (if the police counted it)")
    theft: int | None = Field(None, description="盗窃 (if the police counted it)")


class PublicSafetyMonth(Schema):
    month: str = Field(description="YYYY-MM")
    townships: int = Field(description="townships with figures that month")
    criminal: int | None = None
    public_order: int | None = None
    fraud: int | None = None
    theft: int | None = None
    platform_reported: int | None = Field(
        None, description="problems reported on the platform in the same area that month"
    )


class PublicSafetyOut(Schema):
    region: PublicSafetyRegion | None = None
    start: dt.date
    end: dt.date
    months: list[PublicSafetyMonth]
    rows: list[PublicSafetyRow]


@router.get(
    "/safety",
    response={200: PublicSafetyOut, **ERRORS},
    summary="Public-safety figures",
)
def public_safety(request, filters: Query[PublicSafetyFilter]):
    """The police's monthly criminal and public-order case counts per township in the
    caller's area (or inside ``region``), months from ``start`` to ``end`` (at most 36)."""
    safety.check_may_view(viewer=request.user)
    region = safety.region_for(viewer=request.user, code=filters.region)
    default_start, default_end = safety.default_period()
    start = filters.start or default_start
    end = filters.end or default_end
    data = safety.figures_for(viewer=request.user, region=region, start=start, end=end)
    return {
        "region": (
            {"code": region.code, "name": region.name, "level": region.level} if region else None
        ),
        "start": start,
        "end": end,
        "months": data["totals"],
        "rows": data["rows"],
    }
