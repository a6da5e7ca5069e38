"""Early warnings in the JSON API (under /api/v1/command):

GET  /warnings                  the caller's warnings (filters: state, county), in pages
GET  /warnings/{id}             one warning: its weeks, the usual range, the reports it counts
POST /warnings/{id}/dismiss     dismiss it, with a reason
POST /warnings/{id}/task        turn it into a supervised case

A warning outside the caller's territory is "not found", as a missing one; the actions call
the pages' services (``command.early_warnings``).
"""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.api import ERRORS, Pages
from gongzhi.core.db import MAX_ID

from . import early_warnings as warnings
from .models import EarlyWarning, WarningState

router = Router()

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
StateName = Literal[tuple(WarningState.values)]  # type: ignore[valid-type]
CASES_LISTED = 200


class EarlyWarningFilter(Schema):
    state: StateName | None = Field(None, description="open, dismissed or tasked")
    county: str | None = Field(None, max_length=12, description="county code")


class EarlyWarningRow(Schema):
    id: int
    headline: str
    township: str = Field(description="township code")
    township_name: str
    county: str | None = Field(description="county code")
    category: int = Field(description="first-level category id")
    category_name: str
    start: dt.date = Field(description="first day of the week tested")
    day: dt.date = Field(description="last day of the week tested")
    count: int
    expected: float = Field(description="the weeks before: mean")
    expected_low: int = Field(description="the weeks before: 10 % point")
    expected_high: int = Field(description="the weeks before: 90 % point")
    threshold: int = Field(description="the highest count still usual (99.5 % quantile)")
    p_value: float
    state: str
    state_label: str
    case: str | None = Field(description="number of the case it became")
    created_at: dt.datetime


class EarlyWarningCase(Schema):
    number: str
    title: str
    state: str
    created_at: dt.datetime


class EarlyWarningOut(EarlyWarningRow):
    weeks: list[int | None] = Field(description="weekly totals, oldest first, this week last")
    flagged: list[bool] = Field(description="weeks left out of the baseline (flagged)")
    dispersion: float
    history: int = Field(description="weeks of history in the baseline")
    reason: str = Field(description="why it was dismissed")
    decided_by: str | None = Field(description="masked name")
    decided_at: dt.datetime | None
    queue_url: str | None = Field(description="the case queue listing the reports")
    case_count: int
    cases: list[EarlyWarningCase] = Field(description=f"the latest {CASES_LISTED} reports")


class EarlyWarningDismissIn(Schema):
    reason: str = Field(max_length=1000)


class EarlyWarningTaskIn(Schema):
    note: str = Field("", max_length=2000)


def _row(w: EarlyWarning) -> dict:
    return {
        "id": w.pk,
        "headline": warnings.headline(w),
        "township": w.township.code,
        "township_name": w.township.name,
        "county": w.township.parent.code if w.township.parent_id else None,
        "category": w.category_id,
        "category_name": w.category.name,
        "start": w.start,
        "day": w.day,
        "count": w.count,
        "expected": w.expected,
        "expected_low": w.expected_low,
        "expected_high": w.expected_high,
        "threshold": w.threshold,
        "p_value": w.p_value,
        "state": w.state,
        "state_label": str(w.get_state_display()),
        "case": w.case.number if w.case_id else None,
        "created_at": w.created_at,
    }


def _detail(w: EarlyWarning, user) -> dict:
    cases = warnings.cases_of(w, user=user)
    return {
        **_row(w),
        "weeks": w.series.get("weeks") or [],
        "flagged": w.series.get("flagged") or [],
        "dispersion": w.dispersion,
        "history": w.history,
        "reason": w.reason,
        "decided_by": w.decided_by.masked_name if w.decided_by_id else None,
        "decided_at": w.decided_at,
        "queue_url": warnings.queue_url(w, user=user),
        "case_count": cases.count(),
        "cases": [
            {"number": c.number, "title": c.title, "state": c.state, "created_at": c.created_at}
            for c in cases[:CASES_LISTED]
        ],
    }


class _Rows:
    """The queryset as pagination sees it: counted, sliced, each row made for the page only."""

    def __init__(self, queryset):
        self.queryset = queryset

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, part: slice) -> list[dict]:
        return [_row(w) for w in self.queryset[part]]


def _read(request, pk: int) -> EarlyWarning:
    return warnings.get_visible(user=request.user, pk=pk)


@router.get("/warnings", response={200: list[EarlyWarningRow], **ERRORS}, summary="Early warnings")
@paginate(Pages)
def warning_list(request, filters: Query[EarlyWarningFilter]):
    rows = warnings.visible(request.user).select_related("case")
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.county:
        rows = rows.filter(township__parent__code=filters.county)
    return _Rows(rows)


@router.get(
    "/warnings/{warning_id}",
    response={200: EarlyWarningOut, **ERRORS},
    summary="One early warning",
)
def warning_detail(request, warning_id: Id):
    return _detail(_read(request, warning_id), request.user)


@router.post(
    "/warnings/{warning_id}/dismiss",
    response={200: EarlyWarningOut, 409: ERRORS[400], **ERRORS},
    summary="Dismiss an early warning",
)
def warning_dismiss(request, warning_id: Id, body: EarlyWarningDismissIn):
    warning = warnings.do_dismiss(
        warning=_read(request, warning_id), user=request.user, reason=body.reason
    )
    return _detail(warning, request.user)


@router.post(
    "/warnings/{warning_id}/task",
    response={200: EarlyWarningOut, 409: ERRORS[400], **ERRORS},
    summary="Turn an early warning into a supervised case",
)
def warning_task(request, warning_id: Id, body: EarlyWarningTaskIn):
    warning = _read(request, warning_id)
    warnings.do_task(warning=warning, user=request.user, note=body.note)
    warning = warnings.get_visible(user=request.user, pk=warning_id)
    return _detail(warning, request.user)
