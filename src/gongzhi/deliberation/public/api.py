"""The public room's JSON API, mounted under /api/v1/deliberation/: the figures (the same
numbers as the page and the Excel download), the township's overview, and each village's
public page (no sign-in, no personal data)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from gongzhi.core.api import ERRORS, Day
from gongzhi.core.errors import NotAllowed

from . import figures as figures_query
from . import queries

router = Router(tags=["deliberation"])


class HallFigureRow(Schema):
    key: str
    label: str
    code: str
    topics_raised: int
    topics_reached_threshold: int
    answered_in_time: int
    answered_in_time_share: float | None
    topics_decided: int
    decisions: int
    matters_by_state: dict[str, int]
    implementations_due: int
    implemented_on_time: int
    implemented_on_time_share: float | None
    households: int
    households_taking_part: int
    participation: float | None


class HallFiguresOut(Schema):
    region: str | None
    # Plain dates: the period's start may fall before the first day a query may name.
    start: dt.date
    end: dt.date
    total: HallFigureRow
    places: list[HallFigureRow]


@router.get(
    "/figures", response={200: HallFiguresOut, **ERRORS}, summary="Deliberation hall figures"
)
def figures(request, region: str | None = None, start: Day | None = None, end: Day | None = None):
    """Topics raised, answered in time, decided; matters by state; implemented on time;
    participation (households that took part ÷ all) for ``region`` (a code in the viewer's
    area; default their whole area), one row per place one level down, and the period."""
    found = figures_query.find_region(request.user, region)
    data = figures_query.figures(user=request.user, region=found, start=start, end=end)
    return {**data, "region": data["region"].code if data["region"] else None}


class OverviewRow(Schema):
    code: str
    name: str
    village: bool
    open: int
    late: int
    meetings: int
    published: int
    overdue: int


class OverviewOut(Schema):
    region: str | None
    rows: list[OverviewRow]


@router.get("/overview", response={200: OverviewOut, **ERRORS}, summary="Villages overseen")
def overview(request, region: str | None = None):
    """For township, county and city staff: each place below ``region`` (default their
    area) with its open topics, topics late, meetings this month, decisions published and
    implementations overdue."""
    paths = queries.overview_paths(request.user)
    if paths is not None and not paths:
        raise NotAllowed(
            "forbidden", _("Only township, county and city staff oversee the villages.")
        )
    found = queries.find_region(paths, region)
    data = queries.overview(paths=paths, region=found)
    return {"region": data["region"].code if data["region"] else None, "rows": data["rows"]}


class PublicTopic(Schema):
    number: str
    title: str
    body: str
    place: str
    photos: list[dict]
    state: str
    supports: int
    households: int
    threshold: int
    answer_due: dt.datetime | None
    answered_at: dt.datetime | None
    answer: str


class PublicMeeting(Schema):
    number: str
    title: str
    kind: str
    place: str
    starts_at: dt.datetime
    state: str
    agenda: list[str]


class PublicUpdate(Schema):
    at: dt.datetime
    percent: int
    note: str
    photos: list[dict]


class PublicImplementation(Schema):
    title: str
    owner: str
    due_on: dt.date
    percent: int
    state: str
    late: bool
    stop_reason: str = Field("", description="why the task was stopped (state: stopped)")
    updates: list[PublicUpdate]


class PublicText(Schema):
    text: str
    starts_on: dt.date
    ends_on: dt.date


class PublicDecision(Schema):
    number: str
    title: str
    state: str
    resolution: PublicText | None
    result: PublicText | None
    percent: int
    implementations: list[PublicImplementation]
    rating_avg: float | None
    rating_count: int


class PublicPageOut(Schema):
    code: str
    name: str
    topics: list[PublicTopic]
    answered: list[PublicTopic]
    meetings: list[PublicMeeting]
    decisions: list[PublicDecision]


@router.get(
    "/public/{code}",
    response={200: PublicPageOut, **ERRORS},
    auth=None,
    summary="A village's public page",
)
def public_page(request, code: str):
    """What the village's public page shows (no sign-in; no person is named)."""
    region = queries.public_region(code)
    if region is None:
        raise Http404(_("There is no village or community with this code."))
    data = queries.public_page(region)
    return {"code": region.code, "name": region.name, **data}
