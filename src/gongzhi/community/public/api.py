"""The public room's JSON API, under /api/v1/community/: the figures (the same numbers as
the page and the Excel download), scoped as the page is."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from gongzhi.core.api import ERRORS, Day

from . import figures as figures_query

router = Router(tags=["community"])


class CommunityFigureRow(Schema):
    key: str
    label: str
    code: str
    repairs: int
    responded_in_time: int
    responded_in_time_share: float | None
    finished_in_time: int
    finished_in_time_share: float | None
    rated: int
    satisfied: int
    satisfied_share: float | None
    notices: int
    deliveries: int
    read: int
    read_share: float | None
    asked: int  # deliveries of notices that ask for an answer
    answered: int
    answered_share: float | None
    volunteers_registered: int
    volunteers_approved: int
    volunteer_hours: float
    patrols: int
    checkpoints: int
    scanned: int
    patrol_completion: float | None
    missed: int
    flagged: int
    points_awarded: int
    points_redeemed: int
    households_with_balance: int
    ceremonies: int
    within_caps: int
    within_caps_share: float | None


class CommunityCompanyScore(Schema):
    code: str
    name: str
    month: dt.date
    score: float
    rank: int | None
    repairs: int
    complaints: int


class CommunityFiguresOut(Schema):
    region: str | None
    start: dt.date
    end: dt.date
    total: CommunityFigureRow
    places: list[CommunityFigureRow]
    companies: list[CommunityCompanyScore]


@router.get("/figures", response={200: CommunityFiguresOut, **ERRORS}, summary="Community figures")
def figures(request, region: str | None = None, start: Day | None = None, end: Day | None = None):
    """Repairs (in time, satisfied), notices (read, answered), volunteers and hours, patrol
    completion, points awarded and redeemed, 移风易俗 registrations within the caps, for
    ``region`` (a code in the viewer's area; default their whole area), one row per place
    one level down, and the property companies' latest scores."""
    found = figures_query.find_region(request.user, region)
    data = figures_query.figures(user=request.user, region=found, start=start, end=end)
    return {**data, "region": data["region"].code if data["region"] else None}
