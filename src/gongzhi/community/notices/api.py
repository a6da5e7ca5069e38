"""The notices room's JSON API, under /api/v1/community/.

Staff (their area's notices):
GET    /notices                         the notices they manage
POST   /notices                         write a draft (JSON; attachments through the page)
GET    /notices/{number}                one notice
PATCH  /notices/{number}                change a draft or scheduled notice
DELETE /notices/{number}                delete a draft
POST   /notices/{number}/publish        send now, or schedule for its publish time
POST   /notices/{number}/withdraw       take it back
POST   /notices/{number}/remind         remind the households still waiting (once)
GET    /notices/{number}/receipts       read/answered counts, by grid, answers summary, the
                                        households waiting (``reveal=true``: names, audited)

Residents (their household's notices):
GET    /my/notices                      the household's notices
GET    /my/notices/{number}             one notice (marks the household's copy read)
POST   /my/notices/{number}/answer      the household's answer, once

Errors: ``{"error", "message", "field"}``; a notice outside the caller's reach is 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.api import ErrorOut, Id, Pages
from gongzhi.core.errors import NotAllowed, ServiceError
from gongzhi.people.models import CareGroup, Household
from gongzhi.regions.models import Region

from .. import reveal as reveal_names
from ..choices import AnswerKind
from ..models import Estate
from . import queries, services

router = Router(tags=["community notices"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class NoticeAudienceIn(Schema):
    regions: list[str] = Field(default_factory=list, description="region paths")
    estates: list[Id] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list, description="care group codes")
    households: list[Id] = Field(default_factory=list)


class NoticeIn(Schema):
    region: str = Field(..., max_length=255, description="the sender's area (region path)")
    title: str = Field(..., max_length=200)
    body: str = Field(..., max_length=20000)
    audience: NoticeAudienceIn
    publish_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    by_sms: bool = False
    answer_kind: str = AnswerKind.NONE
    answer_choices: list[Any] = Field(default_factory=list, max_length=10)


class NoticePatchIn(Schema):
    title: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=20000)
    audience: NoticeAudienceIn | None = None
    publish_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    by_sms: bool | None = None
    answer_kind: str | None = None
    answer_choices: list[Any] | None = Field(None, max_length=10)


class NoticeOut(Schema):
    number: str
    title: str
    body: str
    state: str
    state_label: str
    region_path: str
    publish_at: dt.datetime
    expires_at: dt.datetime | None
    by_sms: bool
    answer_kind: str
    answer_choices: list[Any]
    delivered_at: dt.datetime | None
    households: int
    reminded_at: dt.datetime | None
    attachments: list[str]


class NoticeGridOut(Schema):
    grid: str
    total: int
    unread: int
    unanswered: int


class NoticeWaitingOut(Schema):
    grid: str
    household: str
    address: str
    name: str = Field(description="the head's name, masked unless revealed")
    phone: str = Field(description="the head's phone, masked unless revealed")
    read: bool
    answered: bool
    reminded: bool


class NoticeReceiptsOut(Schema):
    total: int
    read: int
    answered: int
    unread: int
    unanswered: int
    reminded: int
    by_grid: list[NoticeGridOut]
    answers: dict
    waiting: list[NoticeWaitingOut]


class MyNoticeOut(Schema):
    number: str
    title: str
    body: str
    publish_at: dt.datetime
    expires_at: dt.datetime | None
    expired: bool
    answer_kind: str
    answer_choices: list[Any]
    read_at: dt.datetime | None
    answer: Any = None
    answered_at: dt.datetime | None


class NoticeAnswerIn(Schema):
    value: Any


class NoticeRemindOut(Schema):
    reminded: int


def _out(n) -> dict:
    return {
        "number": n.number,
        "title": n.title,
        "body": n.body,
        "state": n.state,
        "state_label": str(n.get_state_display()),
        "region_path": n.region_path,
        "publish_at": n.publish_at,
        "expires_at": n.expires_at,
        "by_sms": n.by_sms,
        "answer_kind": n.answer_kind,
        "answer_choices": n.answer_choices,
        "delivered_at": n.delivered_at,
        "households": n.households_count,
        "reminded_at": n.reminded_at,
        "attachments": [a.name for a in n.attachments.all()],
    }


def _mine(d) -> dict:
    n = d.notice
    return {
        "number": n.number,
        "title": n.title,
        "body": n.body,
        "publish_at": n.publish_at,
        "expires_at": n.expires_at,
        "expired": services.is_expired(n),
        "answer_kind": n.answer_kind,
        "answer_choices": n.answer_choices,
        "read_at": d.read_at,
        "answer": (d.answer or {}).get("value"),
        "answered_at": d.answered_at,
    }


def _audience(a: NoticeAudienceIn) -> dict:
    """Ids and paths as records; one the caller named that does not exist is refused."""
    regions = list(Region.objects.filter(path__in=a.regions))
    estates = list(Estate.objects.filter(pk__in=a.estates))
    groups = list(CareGroup.objects.filter(code__in=a.groups))
    households = list(Household.objects.filter(pk__in=a.households))
    if (
        len(regions) != len(set(a.regions))
        or len(estates) != len(set(a.estates))
        or len(groups) != len(set(a.groups))
        or len(households) != len(set(a.households))
    ):
        raise ServiceError(
            "audience_unknown", _("Part of the audience does not exist."), "audience"
        )
    return {"regions": regions, "estates": estates, "groups": groups, "households": households}


def _staff(request):
    if not services.is_staff(request.user):
        raise NotAllowed("not_allowed", _("Only staff write notices."), None)


@router.get("/notices", response={200: list[NoticeOut], **ERRORS}, summary="Notices (staff)")
@paginate(Pages)
def list_notices(request):
    _staff(request)
    return [_out(n) for n in services.managed(request.user).prefetch_related("attachments")]


@router.post("/notices", response={201: NoticeOut, **ERRORS}, summary="Write a notice")
def create_notice(request, payload: NoticeIn):
    _staff(request)
    region = Region.objects.filter(path=payload.region).first()
    notice = services.do_create(
        actor=request.user,
        region=region,
        title=payload.title,
        body=payload.body,
        publish_at=payload.publish_at,
        expires_at=payload.expires_at,
        by_sms=payload.by_sms,
        answer_kind=payload.answer_kind,
        answer_choices=payload.answer_choices,
        **_audience(payload.audience),
    )
    return Status(201, _out(notice))


@router.get("/notices/{number}", response={200: NoticeOut, **ERRORS}, summary="One notice")
def get_notice(request, number: str):
    return _out(services.get_managed(actor=request.user, number=number))


@router.patch("/notices/{number}", response={200: NoticeOut, **ERRORS}, summary="Change")
def update_notice(request, number: str, payload: NoticePatchIn):
    notice = services.get_managed(actor=request.user, number=number)
    fields = payload.dict(exclude_unset=True)
    audience = fields.pop("audience", None)
    if audience is not None:
        fields.update(_audience(payload.audience))
    return _out(services.do_update(actor=request.user, notice=notice, **fields))


@router.delete("/notices/{number}", response={204: None, **ERRORS}, summary="Delete a draft")
def delete_notice(request, number: str):
    services.do_delete(
        actor=request.user, notice=services.get_managed(actor=request.user, number=number)
    )
    return Status(204, None)


@router.post("/notices/{number}/publish", response={200: NoticeOut, **ERRORS}, summary="Publish")
def publish_notice(request, number: str):
    notice = services.get_managed(actor=request.user, number=number)
    return _out(services.do_publish(actor=request.user, notice=notice))


@router.post("/notices/{number}/withdraw", response={200: NoticeOut, **ERRORS}, summary="Withdraw")
def withdraw_notice(request, number: str):
    notice = services.get_managed(actor=request.user, number=number)
    return _out(services.do_withdraw(actor=request.user, notice=notice))


@router.post(
    "/notices/{number}/remind", response={200: NoticeRemindOut, **ERRORS}, summary="Remind once"
)
def remind_notice(request, number: str):
    notice = services.get_managed(actor=request.user, number=number)
    return {"reminded": services.do_remind(actor=request.user, notice=notice)}


@router.get(
    "/notices/{number}/receipts",
    response={200: NoticeReceiptsOut, **ERRORS},
    summary="Read receipts and answers",
)
def notice_receipts(request, number: str, grid: int | None = None, reveal: bool = False):
    """``reveal=true``: the waiting households' heads' names and phones in full, for the
    staff of the place whose role may see them (each person audited; 403 for the others)."""
    notice = services.get_managed(actor=request.user, number=number)
    if reveal:
        reveal_names.check_reveal(
            request=request,
            region_path=notice.region_path,
            obj=notice,
            reason=f"notice {notice.number}",
        )
    out = queries.receipts(notice)
    out["waiting"] = queries.waiting(notice, grid=grid, limit=500, reveal=reveal)
    if reveal:
        reveal_names.record(
            request, [w["head"] for w in out["waiting"]], reason=f"notice {notice.number}: api"
        )
    return out


@router.get("/my/notices", response={200: list[MyNoticeOut], **ERRORS}, summary="My notices")
@paginate(Pages)
def my_notices(request):
    return [_mine(d) for d in queries.for_household(request.user)]


@router.get("/my/notices/{number}", response={200: MyNoticeOut, **ERRORS}, summary="Read one")
def my_notice(request, number: str):
    return _mine(services.do_read(actor=request.user, number=number))


@router.post("/my/notices/{number}/answer", response={200: MyNoticeOut, **ERRORS}, summary="Answer")
def answer_notice(request, number: str, payload: NoticeAnswerIn):
    return _mine(services.do_answer(actor=request.user, number=number, value=payload.value))
