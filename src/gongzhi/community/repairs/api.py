"""The repairs room's JSON API, under /api/v1/community/.

GET  /repairs                  the caller's repairs (a resident their household's, a company
                               its estates', staff their area's)
POST /repairs                  ask for a repair (multipart: fields and ``photos``)
GET  /repairs/{id}             one repair: state, deadlines, public timeline, rating
POST /repairs/{id}/rating      the reporter rates a closed repair
GET  /companies                the month's scores of the companies serving the caller's area

Errors: ``{"error", "message", "field"}`` (``gongzhi.core.api.ErrorOut``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongzhi.cases.choices import Satisfaction
from gongzhi.core.api import ErrorOut, Id, Pages

from . import queries, services

router = Router(tags=["community repairs"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class RepairRow(Schema):
    id: int
    number: str
    title: str
    category: str
    estate: str
    company: str
    state: str
    state_label: str
    sign_for_due: dt.datetime | None
    resolve_due: dt.datetime | None
    escalated_at: dt.datetime | None
    created_at: dt.datetime


class RepairEventOut(Schema):
    at: dt.datetime
    action: str
    label: str
    to_state: str
    unit: str
    note: str


class RepairRatingOut(Schema):
    resolved: bool
    satisfaction: str
    comment: str


class RepairOut(RepairRow):
    description: str
    signed_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    result: str
    can_rate: bool
    rating: RepairRatingOut | None
    timeline: list[RepairEventOut]


def _row(r) -> dict:
    case = r.case
    return {
        "id": r.pk,
        "number": case.number,
        "title": case.title,
        "category": case.category.name,
        "estate": r.estate.name,
        "company": r.company.name if r.company_id else "",
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "sign_for_due": case.sign_for_due,
        "resolve_due": case.resolve_due,
        "escalated_at": r.escalated_at,
        "created_at": r.created_at,
    }


def _detail(r, user) -> dict:
    rating = services.rating_of(r)
    return {
        **_row(r),
        "description": r.case.description,
        "signed_at": r.case.signed_at,
        "resolved_at": r.case.resolved_at,
        "closed_at": r.case.closed_at,
        "result": r.case.result,
        "can_rate": services.can_rate(user=user, repair=r),
        "rating": (
            {
                "resolved": rating.resolved,
                "satisfaction": rating.satisfaction,
                "comment": rating.comment,
            }
            if rating
            else None
        ),
        "timeline": queries.timeline(r.case),
    }


@router.get("/repairs", response={200: list[RepairRow], **ERRORS}, summary="Repairs")
@paginate(Pages)
def list_repairs(request):
    return [_row(r) for r in queries.repairs_for(request.user)]


class RepairRequestIn(Schema):
    category: Id
    description: str = Field(max_length=2000)
    estate: Id | None = None
    key: str | None = Field(None, max_length=60, description="retry key")


@router.post("/repairs", response={201: RepairOut, **ERRORS}, summary="Ask for a repair")
def create_repair(request, payload: Form[RepairRequestIn], photos: File[list[UploadedFile]] = None):
    """A resident asks their estate's property company for a repair (multipart form)."""
    r = services.do_request(
        user=request.user,
        category_id=payload.category,
        description=payload.description,
        estate_id=payload.estate,
        photos=photos or (),
        key=payload.key,
    )
    r = services.get_visible(user=request.user, repair_id=r.pk)
    return Status(201, _detail(r, request.user))


@router.get("/repairs/{repair_id}", response={200: RepairOut, **ERRORS}, summary="One repair")
def get_repair(request, repair_id: int):
    return _detail(services.get_visible(user=request.user, repair_id=repair_id), request.user)


class RepairRatingIn(Schema):
    resolved: bool
    satisfaction: Literal[tuple(Satisfaction.values)]  # type: ignore[valid-type]
    comment: str = Field("", max_length=500)


@router.post(
    "/repairs/{repair_id}/rating", response={200: RepairOut, **ERRORS}, summary="Rate a repair"
)
def rate_repair(request, repair_id: int, payload: RepairRatingIn):
    r = services.get_visible(user=request.user, repair_id=repair_id)
    services.do_rate(
        user=request.user,
        repair=r,
        resolved=payload.resolved,
        satisfaction=payload.satisfaction,
        comment=payload.comment,
    )
    return _detail(services.get_visible(user=request.user, repair_id=repair_id), request.user)


class CompanyScoreOut(Schema):
    company_id: int
    company: str
    month: dt.date
    repairs: int
    responded_in_time: int
    finished_in_time: int
    rated: int
    satisfied: int
    complaints: int
    score: float
    rank: int | None


class CompanyScoreFilter(Schema):
    month: str | None = Field(
        None, pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", description="YYYY-MM, 2000–2099"
    )


@router.get("/companies", response={200: list[CompanyScoreOut], **ERRORS}, summary="Company scores")
def company_scores(request, filters: Query[CompanyScoreFilter]):
    """The month's scores (default: this month) of the companies serving the caller's area,
    best first; ``rank`` is among all companies."""
    if filters.month:
        month = dt.date(int(filters.month[:4]), int(filters.month[5:]), 1)
    else:
        month = timezone.localdate().replace(day=1)
    return [
        {
            "company_id": s.company_id,
            "company": s.company.name,
            "month": s.month,
            "repairs": s.repairs,
            "responded_in_time": s.responded_in_time,
            "finished_in_time": s.finished_in_time,
            "rated": s.rated,
            "satisfied": s.satisfied,
            "complaints": s.complaints,
            "score": float(s.score),
            "rank": s.rank,
        }
        for s in queries.ranking(request.user, month)
    ]
