"""The big screen's data (mounted under /api/v1/command).

GET /command/screen?region=<code>&grid=<code>   every panel of the screen (``screen.gather``)

The page reads it when drawn, on a live message (debounced) and every minute. Leaders,
dispatchers and administrators only; a region or grid outside the caller's scope is refused
with the one error shape, and every panel counts only what the caller may see (the survey's
results and the public-safety figures each under their own rule: null when not theirs).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema

from gongzhi.core.api import ERRORS

from . import screen

router = Router()


class ScreenFilter(Schema):
    region: str | None = Field(None, max_length=20, description="a region code; none: all")
    grid: str | None = Field(None, max_length=30, description="a grid code, inside the region")


class ScreenCounts(Schema):
    reported: int = 0
    closed: int = 0
    open: int = 0
    overdue: int = 0
    returned: int = 0
    response_base: int = 0
    responded: int = 0
    rated: int = 0
    solved: int = 0
    satisfied: int = 0
    accept_base: int = 0
    accepted_in_time: int = 0
    dispatch_base: int = 0
    dispatched_in_time: int = 0
    answered: int = 0
    response_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    accept_rate: float | None = None
    dispatch_rate: float | None = None


class ScreenPeriod(ScreenCounts):
    start: dt.date
    end: dt.date
    links: dict[str, str | None]


class ScreenRow(ScreenCounts):
    key: int | str | None = None
    label: str
    code: str | None = None
    score: float | None = None
    overdue_url: str | None = None
    drill: str | None = None  # "region" or "grid": what a click on the row opens
    level: str | None = None


class ScreenUnits(Schema):
    by_rates: list[ScreenRow]
    by_overdue: list[ScreenRow]


class ScreenCategory(Schema):
    key: int | str | None = None
    label: str
    reported: int
    previous: int
    last_year: int
    change_previous: float | None = None
    change_last_year: float | None = None
    url: str | None = None


class ScreenHotspot(Schema):
    grid_id: int
    code: str
    name: str
    reported: int
    open: int
    overdue: int
    url: str | None = None


class ScreenRisk(Schema):
    risk: str
    label: str
    colour: str
    count: int


class ScreenStatus(Schema):
    status: str
    label: str
    colour: str
    count: int


class ScreenDevice(Schema):
    kind: str
    name: str
    lng: float
    lat: float
    status: str
    colour: str
    alarm: bool


class ScreenSensing(Schema):
    cameras: list[ScreenStatus]
    devices: list[ScreenStatus]
    alarms_open: int
    events_new: int
    points: list[ScreenDevice]


class ScreenCase(Schema):
    number: str
    title: str
    state: str
    lng: float
    lat: float
    is_overdue: bool
    is_urgent: bool
    grid_id: int | None = None


class ScreenMap(Schema):
    bounds: list[float] | None = None
    cases: list[ScreenCase]
    truncated: bool


class ScreenMessage(Schema):
    id: int
    topic: str
    kind: str
    data: dict[str, Any]
    at: dt.datetime


class ScreenRegion(Schema):
    code: str
    name: str
    level: str
    path: str


class ScreenGrid(Schema):
    id: int
    code: str
    name: str


class ScreenCrumb(Schema):
    code: str
    name: str
    level: str


class ScreenMeasure(Schema):
    mean: float
    low: float
    high: float
    positive: float
    positive_low: float
    positive_high: float
    n: int
    coverage: float


class ScreenMeasures(Schema):
    safety: ScreenMeasure | None = None
    satisfaction: ScreenMeasure | None = None


class ScreenWave(Schema):
    id: int
    name: str
    start: dt.date
    end: dt.date
    state: str


class ScreenSurveyPlace(Schema):
    code: str
    name: str
    level: str


class ScreenSurveyArea(ScreenSurveyPlace):
    measures: ScreenMeasures


class ScreenResponse(Schema):
    sample: int
    contacted: int
    completed: int
    by_link: int
    rate: float | None = None


class ScreenSurvey(Schema):
    region: ScreenSurveyPlace
    wave: ScreenWave
    measures: ScreenMeasures
    response: ScreenResponse
    areas: list[ScreenSurveyArea]
    url: str | None = None


class ScreenSafetyMonth(Schema):
    month: str  # YYYY-MM
    criminal: int | None = None  # None: the police gave no figures for the month
    public_order: int | None = None
    platform_reported: int | None = None


class ScreenSafety(Schema):
    months: list[ScreenSafetyMonth]
    url: str | None = None


class ScreenLegal(Schema):
    aid_pending: int  # legal-aid applications not yet decided
    aid_overdue: int  # of them, past their 7 working days
    questions_waiting: int  # legal questions not yet answered
    questions_overdue: int


class ScreenDeliberation(Schema):
    topics_late: int  # villages' topics past the date they had to be answered by
    tasks_overdue: int  # tasks carrying out villages' decisions, past their due date


class ScreenCommunity(Schema):
    repairs_overdue: int  # residents' repairs open past their deadline now
    repairs_escalated: int  # repairs escalated to the community this month
    patrol_completion: float | None  # this month: checkpoints scanned ÷ checkpoints
    notices_read: float | None  # this month's notices: households that read ÷ reached


class ScreenOut(Schema):
    region: ScreenRegion | None = None
    grid: ScreenGrid | None = None
    crumbs: list[ScreenCrumb]
    today: ScreenPeriod
    month: ScreenPeriod
    units: ScreenUnits
    categories: list[ScreenCategory]
    regions: list[ScreenRow]
    hotspots: list[ScreenHotspot]
    disputes: list[ScreenRisk]
    visits_late: int
    sensing: ScreenSensing | None = None
    legal: ScreenLegal | None = None  # None: the viewer may not read the legal figures
    deliberation: ScreenDeliberation | None = None  # None: the viewer oversees no village
    community: ScreenCommunity | None = None  # None: the viewer oversees no community
    survey: ScreenSurvey | None = None  # None: no wave, or results not for this viewer
    safety: ScreenSafety | None = None
    map: ScreenMap
    ticker: list[ScreenMessage]
    push_after: int
    generated_at: dt.datetime


@router.get("/screen", response={200: ScreenOut, **ERRORS}, summary="The big screen's panels")
def screen_data(request, filters: Query[ScreenFilter]):
    return screen.gather(viewer=request.user, region_code=filters.region, grid_code=filters.grid)
