"""The analytics part of the command API (mounted under /api/v1/command):

GET /assessment?region=&start=&end=   the units' assessment scores (考核) with their parts

A region is given by its code (default: everything the caller may see); the period by its
first and last day, both included (default: this month). A region outside the caller's
scope or a bad period is refused with the one error shape; only leaders and command-centre
staff may ask, as on the page.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gongzhi.core.api import ERRORS, Day
from gongzhi.core.errors import ServiceError

from . import assessment, exports, figures

router = Router()


class AssessmentQuery(Schema):
    region: str | None = Field(None, max_length=20, description="A region's code.")
    start: Day | None = Field(None, description="The period's first day (default: this month's).")
    end: Day | None = Field(None, description="The period's last day, included.")


class AssessmentWeightOut(Schema):
    measure: str
    label: str
    weight: float


class AssessmentPenaltyOut(Schema):
    measure: str
    label: str
    points_per_case: float
    cap: float


class AssessmentPartOut(Schema):
    measure: str
    label: str
    rate: float | None
    weight: float
    effective_weight: float | None = Field(
        description="The weight after the rates without a base shared theirs."
    )
    points: float | None


class AssessmentMinusOut(Schema):
    measure: str
    label: str
    count: int
    points: float


class AssessmentUnitOut(Schema):
    rank: int | None
    unit_id: int | str
    unit: str
    score: float | None
    rate_points: float | None
    minus_points: float
    reported: int
    parts: list[AssessmentPartOut]
    penalties: list[AssessmentMinusOut]
    records_url: str | None = None


class AssessmentOut(Schema):
    region: str | None
    region_name: str | None
    start: date
    end: date
    formula: str
    weights: list[AssessmentWeightOut]
    penalties: list[AssessmentPenaltyOut]
    units: list[AssessmentUnitOut]


@router.get("/assessment", response={200: AssessmentOut, **ERRORS}, summary="Units' scores")
def unit_scores(request, q: Query[AssessmentQuery]):
    exports.check_viewer(viewer=request.user)
    first, last = exports.month_of(timezone.localdate())
    start, end = q.start or first, q.end or last
    if end < start:
        raise ServiceError("bad_period", _("The period ends before it starts."), "end")
    region = figures.region_for(viewer=request.user, code=(q.region or "").strip() or None)
    scored = assessment.scores(viewer=request.user, region=region, start=start, end=end)
    return {
        "region": region.code if region else None,
        "region_name": region.name if region else None,
        "start": start,
        "end": end,
        "formula": scored["formula"],
        "weights": [
            {"measure": w.code, "label": str(w.get_code_display()), "weight": float(w.weight)}
            for w in scored["weights"]
        ],
        "penalties": [
            {
                "measure": p.code,
                "label": str(p.get_code_display()),
                "points_per_case": float(p.points),
                "cap": float(p.cap),
            }
            for p in scored["penalties"]
        ],
        "units": [
            {
                "rank": u["rank"],
                "unit_id": u["key"],
                "unit": str(u["label"]),
                "score": u["score"],
                "rate_points": u["rate_points"],
                "minus_points": u["minus_points"],
                "reported": u["figures"].get("reported") or 0,
                "parts": u["parts"],
                "penalties": u["penalties"],
                "records_url": figures.records_url(
                    viewer=request.user,
                    measure="reported",
                    region=region,
                    start=start,
                    end=end,
                    unit=u["key"],
                ),
            }
            for u in scored["units"]
        ],
    }
