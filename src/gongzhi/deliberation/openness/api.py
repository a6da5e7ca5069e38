"""The openness room's JSON API, mounted under /api/v1/deliberation/.

GET  /publications                        the publications the caller may see, newest first
GET  /publications/{pk}                   one, with its objections (objectors masked unless
                                          the caller is the committee or the objector)
POST /publications/{pk}/objections        object while it runs (``services.do_object``)
POST /objections/{pk}/answer              the committee's public answer
GET  /implementations                     tasks in the caller's scope, late first
GET  /implementations/{pk}                one task with its progress updates
POST /matters/{number}/implementations    plan a task (committee)
POST /implementations/{pk}/progress       report progress (multipart: percent, note, spent,
                                          over_budget_reason, photos)
POST /implementations/{pk}/stop           stop (中止) a task with a reason (committee)
GET  /matters/{number}/ratings            the average and count, and the caller's own
POST /matters/{number}/ratings            rate the result once it is published

Reads start from ``visible_to(request.user)``; anything outside it is "not found".
Errors: ``{"error", "message", "field"}`` (ServiceError, answered by the project's API).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongzhi.core.api import Day, ErrorOut, Pages
from gongzhi.core.errors import ServiceError

from .. import members
from . import queries, services

router = Router(tags=["deliberation openness"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ObjectionOut(Schema):
    id: int
    author: str = Field(description="masked unless the caller is the committee or the author")
    body: str
    state: str
    answer: str
    answered_at: dt.datetime | None
    created_at: dt.datetime


class PublicationOut(Schema):
    id: int
    matter: str
    matter_title: str
    kind: str
    text: str
    starts_on: dt.date
    ends_on: dt.date
    running: bool
    households_told: int
    region_name: str


class PublicationDetail(PublicationOut):
    objections: list[ObjectionOut]
    may_object: bool


def _publication(p, today) -> dict:
    return {
        "id": p.pk,
        "matter": p.matter.number,
        "matter_title": p.matter.title,
        "kind": p.kind,
        "text": p.text,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "running": services.running(p, today=today),
        "households_told": p.households_told,
        "region_name": p.region.name,
    }


def _objection(row) -> dict:
    o = row["objection"]
    return {
        "id": o.pk,
        "author": row["author"],
        "body": o.body,
        "state": o.state,
        "answer": o.answer,
        "answered_at": o.answered_at,
        "created_at": o.created_at,
    }


@router.get("/publications", response={200: list[PublicationOut], **ERRORS})
@paginate(Pages)
def list_publications(request):
    today = timezone.localdate()
    return [_publication(p, today) for p in queries.publications(request.user)]


@router.get("/publications/{pk}", response={200: PublicationDetail, **ERRORS})
def get_publication(request, pk: int):
    p = services.get_publication(actor=request.user, pk=pk)
    today = timezone.localdate()
    committee = members.is_committee(request.user, p.region_path)
    view = queries.publication_view(p, request.user, today=today, committee=committee)
    return {
        **_publication(p, today),
        "objections": [_objection(r) for r in view["objections"]],
        "may_object": view["may_object"],
    }


class ObjectIn(Schema):
    body: str = Field(max_length=4000)


@router.post("/publications/{pk}/objections", response={201: ObjectionOut, **ERRORS})
def object_to(request, pk: int, payload: ObjectIn):
    p = services.get_publication(actor=request.user, pk=pk)
    o = services.do_object(actor=request.user, publication=p, body=payload.body)
    return Status(201, _objection({"objection": o, "author": o.author.display_name}))


class ObjectionAnswerIn(Schema):
    answer: str = Field(max_length=4000)


@router.post("/objections/{pk}/answer", response={200: ObjectionOut, **ERRORS})
def answer_objection(request, pk: int, payload: ObjectionAnswerIn):
    o = services.get_objection(actor=request.user, pk=pk)
    o = services.do_answer_objection(actor=request.user, objection=o, answer=payload.answer)
    author = o.author.display_name if o.author else "—"
    return _objection({"objection": o, "author": author})


class TaskProgressOut(Schema):
    id: int
    at: dt.datetime
    percent: int
    note: str
    spent: Decimal | None
    photos: list[str] = Field(description="photo URLs")


class ImplementationOut(Schema):
    id: int
    matter: str
    matter_title: str
    title: str
    owner_name: str
    due_on: dt.date
    budget: Decimal | None
    spent: Decimal
    percent: int
    state: str
    completed_on: dt.date | None
    late: bool
    region_name: str
    stopped_at: dt.datetime | None = None
    stop_reason: str = Field("", description="why it was stopped (state: stopped)")


class ImplementationDetail(ImplementationOut):
    updates: list[TaskProgressOut]
    may_report: bool


def _task(t, today) -> dict:
    return {
        "id": t.pk,
        "matter": t.matter.number,
        "matter_title": t.matter.title,
        "title": t.title,
        "owner_name": t.owner_name,
        "due_on": t.due_on,
        "budget": t.budget,
        "spent": t.spent,
        "percent": t.percent,
        "state": t.state,
        "completed_on": t.completed_on,
        "late": t.state in services.OPEN_TASK and t.due_on < today,
        "region_name": t.region.name,
        "stopped_at": t.stopped_at,
        "stop_reason": t.stop_reason,
    }


@router.get("/implementations", response={200: list[ImplementationOut], **ERRORS})
@paginate(Pages)
def list_implementations(request):
    today = timezone.localdate()
    return [_task(t, today) for t in queries.implementations(request.user, today=today)]


@router.get("/implementations/{pk}", response={200: ImplementationDetail, **ERRORS})
def get_implementation(request, pk: int):
    t = services.get_implementation(actor=request.user, pk=pk)
    today = timezone.localdate()
    view = queries.task_view(t, request.user, today=today, committee=False)
    updates = [
        {
            "id": u["update"].pk,
            "at": u["update"].at,
            "percent": u["update"].percent,
            "note": u["update"].note,
            "spent": u["update"].spent,
            "photos": [p["full"] for p in u["photos"]],
        }
        for u in view["updates"]
    ]
    return {**_task(t, today), "updates": updates, "may_report": view["may_report"]}


class ImplementationIn(Schema):
    title: str = Field(max_length=200)
    owner: str = Field("", max_length=150, description="a staff member's username")
    owner_name: str = Field("", max_length=200)
    due_on: Day
    budget: Decimal | None = Field(None, ge=0, le=Decimal("9999999999.99"))


@router.post("/matters/{number}/implementations", response={201: ImplementationOut, **ERRORS})
def add_implementation(request, number: str, payload: ImplementationIn):
    matter = services.get_matter(actor=request.user, number=number)
    owner = None
    if payload.owner:
        owner = get_user_model().objects.filter(username=payload.owner, is_active=True).first()
        if owner is None:
            raise ServiceError("invalid", _("There is no such staff member."), "owner")
    t = services.do_add_implementation(
        actor=request.user,
        matter=matter,
        title=payload.title,
        owner=owner,
        owner_name=payload.owner_name,
        due_on=payload.due_on,
        budget=payload.budget,
    )
    return Status(201, _task(t, timezone.localdate()))


@router.post("/implementations/{pk}/progress", response={201: TaskProgressOut, **ERRORS})
def report_progress(
    request,
    pk: int,
    percent: Form[int],
    note: Form[str],
    spent: Form[str] = "",
    over_budget_reason: Form[str] = "",
    photos: File[list[UploadedFile]] = None,
):
    t = services.get_implementation(actor=request.user, pk=pk)
    u = services.do_progress(
        actor=request.user,
        implementation=t,
        percent=percent,
        note=note,
        photos=photos or [],
        spent=spent or None,
        over_budget_reason=over_budget_reason,
    )
    links = [p["full"] for p in queries.photo_links(u)]
    return Status(
        201,
        {
            "id": u.pk,
            "at": u.at,
            "percent": u.percent,
            "note": u.note,
            "spent": u.spent,
            "photos": links,
        },
    )


class TaskStopIn(Schema):
    reason: str = Field(max_length=2000, description="why the task is stopped (published)")


@router.post("/implementations/{pk}/stop", response={200: ImplementationOut, **ERRORS})
def stop_task(request, pk: int, payload: TaskStopIn):
    """Stop (中止) a task with a reason: the committee only; a finished task is a 409."""
    t = services.get_implementation(actor=request.user, pk=pk)
    services.do_stop(actor=request.user, implementation=t, reason=payload.reason)
    t.refresh_from_db()
    return _task(t, timezone.localdate())


class RatingsOut(Schema):
    average: float | None
    count: int
    mine: int | None
    may_rate: bool


class HallRateIn(Schema):
    stars: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=300)


def _ratings(matter, user) -> dict:
    panel = queries.matter_panel(matter, user)
    mine = panel["my_rating"]
    return {
        "average": panel["rating_average"],
        "count": panel["rating_count"],
        "mine": mine.stars if mine else None,
        "may_rate": panel["may_rate"],
    }


@router.get("/matters/{number}/ratings", response={200: RatingsOut, **ERRORS})
def ratings(request, number: str):
    return _ratings(services.get_matter(actor=request.user, number=number), request.user)


@router.post("/matters/{number}/ratings", response={201: RatingsOut, **ERRORS})
def rate(request, number: str, payload: HallRateIn):
    matter = services.get_matter(actor=request.user, number=number)
    services.do_rate(
        actor=request.user, matter=matter, stars=payload.stars, comment=payload.comment
    )
    return Status(201, _ratings(matter, request.user))
