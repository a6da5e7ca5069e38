"""The meetings room's JSON API, mounted under /api/v1/deliberation/.

GET  /meetings                                  the meetings the caller may see
POST /meetings                                  call a meeting (``services.do_schedule``)
GET  /meetings/{number}                         one meeting: agenda, quorum, sign-ins (masked)
GET  /meetings/{number}/minutes.pdf             a closed meeting's minutes (counts, no names)
POST /meetings/{number}/items                   put a question on the agenda
POST /meetings/{number}/actions/{action}        a step: send_notice, open, open_voting, close, cancel
POST /meetings/{number}/sign-in                 the clerk signs a resident in, or oneself by token
POST /meetings/{number}/items/{item}/vote       one's ballot
POST /meetings/{number}/items/{item}/hands      the clerk's show of hands

Errors: ``{"error","message","field"}``; a step out of order is 409 and changes nothing.
"""

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.accounts.masking import mask_name
from gongzhi.core.api import ErrorOut, Pages
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.regions.models import Region

from .. import members
from ..choices import MeetingKind, MeetingState, VoteChoice
from ..models import Attendance
from . import actions, minutes, queries, services
from .workflow import FLOW, RULES

router = Router(tags=["deliberation meetings"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
KindName = Literal[tuple(MeetingKind.values)]  # type: ignore[valid-type]
StateName = Literal[tuple(MeetingState.values)]  # type: ignore[valid-type]
ActionName = Literal[tuple(RULES)]  # type: ignore[valid-type]
ChoiceName = Literal[tuple(VoteChoice.values)]  # type: ignore[valid-type]


class MeetingRow(Schema):
    number: str
    title: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    region_code: str
    region_name: str
    starts_at: dt.datetime
    place: str


def _row(m) -> dict:
    return {
        "number": m.number,
        "title": m.title,
        "kind": m.kind,
        "kind_label": str(m.get_kind_display()),
        "state": m.state,
        "state_label": str(m.get_state_display()),
        "region_code": m.region.code,
        "region_name": m.region.name,
        "starts_at": m.starts_at,
        "place": m.place,
    }


@router.get("/meetings", response={200: list[MeetingRow], **ERRORS}, summary="Meetings")
@paginate(Pages)
def list_meetings(request, state: StateName | None = None, region: str | None = None):
    rows = queries.visible_meetings(request.user)
    if state:
        rows = rows.filter(state=state)
    if region:
        rows = rows.filter(region_path__startswith=region[:255])
    return [_row(m) for m in rows]


class ScheduleIn(Schema):
    region: str = Field(max_length=12, description="region code of the village or community")
    kind: KindName
    title: str = Field(max_length=100)
    place: str = Field(max_length=100)
    starts_at: dt.datetime


@router.post("/meetings", response={201: MeetingRow, **ERRORS}, summary="Call a meeting")
def schedule(request, payload: ScheduleIn):
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise ServiceError("invalid", _("There is no such village or community."), "region")
    m = services.do_schedule(
        actor=request.user,
        region=region,
        kind=payload.kind,
        title=payload.title,
        place=payload.place,
        starts_at=payload.starts_at,
    )
    return Status(201, _row(m))


class ItemOut(Schema):
    id: int
    order: int
    title: str
    needs_vote: bool
    outcome: str
    outcome_label: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    topic: str | None
    matter: str | None


class AttendeeOut(Schema):
    name: str = Field(description="masked for all but the committee")
    method: str
    at: dt.datetime


class MeetingOut(MeetingRow):
    rule: str
    law: str
    notice_sent_at: dt.datetime | None
    households_notified: int
    eligible: int
    eligible_households: int
    present: int
    present_households: int
    quorum_needed: int
    quorate: bool | None
    quorum_note: str
    voting_opened_at: dt.datetime | None
    voting_closes_at: dt.datetime | None
    minutes: str
    items: list[ItemOut]
    attendance: list[AttendeeOut]
    signed_in: bool
    actions: list[str]


def _item(i) -> dict:
    return {
        "id": i.pk,
        "order": i.order,
        "title": i.title,
        "needs_vote": i.needs_vote,
        "outcome": i.outcome,
        "outcome_label": str(i.get_outcome_display()),
        "votes_for": i.votes_for,
        "votes_against": i.votes_against,
        "votes_abstain": i.votes_abstain,
        "topic": i.topic.number if i.topic_id else None,
        "matter": i.matter.number if i.matter_id else None,
    }


def _detail(user, m) -> dict:
    staff = members.is_committee(user, m.region_path)
    rows = Attendance.objects.filter(meeting=m).select_related("resident", "user")
    attendance = []
    for a in rows:
        name = a.resident.name if a.resident_id else (a.user.display_name if a.user_id else "")
        attendance.append(
            {"name": name if staff else mask_name(name), "method": a.method, "at": a.at}
        )
    out = _row(m)
    out.update(
        {
            f: getattr(m, f)
            for f in (
                "notice_sent_at",
                "households_notified",
                "eligible",
                "eligible_households",
                "present",
                "present_households",
                "quorum_needed",
                "quorate",
                "quorum_note",
                "voting_opened_at",
                "voting_closes_at",
                "minutes",
            )
        }
    )
    out.update(
        rule=m.rule.code,
        law=m.rule.law,
        items=[_item(i) for i in m.items.select_related("topic", "matter").order_by("order", "id")],
        attendance=attendance,
        signed_in=queries.attendance_of(m, user) is not None,
        actions=FLOW.allowed_actions(m, user),
    )
    if m.state in (MeetingState.IN_SESSION, MeetingState.VOTING):
        ok, needed, note = actions.check_quorum(m, timezone.now())
        out.update(quorate=ok, quorum_needed=needed, quorum_note=note)
    return out


def _meeting(user, number):
    return services.get_meeting(actor=user, number=number)


@router.get("/meetings/{number}", response={200: MeetingOut, **ERRORS}, summary="One meeting")
def meeting(request, number: str):
    return _detail(request.user, _meeting(request.user, number))


class ItemIn(Schema):
    title: str = Field(max_length=120)
    needs_vote: bool = True


@router.get("/meetings/{number}/minutes.pdf", summary="The minutes of a closed meeting (PDF)")
def minutes_pdf(request, number: str):
    m = _meeting(request.user, number)
    response = HttpResponse(minutes.pdf(m), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{m.number}-minutes.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/meetings/{number}/items", response={201: ItemOut, **ERRORS}, summary="Add an item")
def add_item(request, number: str, payload: ItemIn):
    m = _meeting(request.user, number)
    item = services.do_add_item(
        meeting=m, actor=request.user, title=payload.title, needs_vote=payload.needs_vote
    )
    return Status(201, _item(item))


class MeetingActionIn(Schema):
    expected_state: StateName | None = None
    minutes: str | None = Field(
        None, max_length=20000, description="close: the minutes; open_voting: how many minutes"
    )
    reason: str | None = Field(None, max_length=500)


@router.post(
    "/meetings/{number}/actions/{action}",
    response={200: MeetingOut, **ERRORS},
    summary="Take a step",
)
def take_action(request, number: str, action: str, payload: MeetingActionIn):
    """404 unknown action, 403 not the committee's, 409 out of order or changed since seen,
    400 bad input; nothing is written unless it succeeds."""
    if action not in RULES:
        raise NotFound("unknown_action", _("There is no such action."))
    m = _meeting(request.user, number)
    params = payload.dict(exclude_none=True)
    expected = params.pop("expected_state", None)
    done = services.do_transition(
        meeting=m, action=action, actor=request.user, expected_state=expected, **params
    )
    return _detail(request.user, queries.meeting_for(request.user, done.number) or done)


class SignInIn(Schema):
    resident: int | None = Field(None, description="the clerk: a resident of the register")
    token: str | None = Field(None, max_length=64, description="oneself: the QR code's key")


class SignInOut(Schema):
    meeting: str
    method: str
    present: int


@router.post("/meetings/{number}/sign-in", response={201: SignInOut, **ERRORS}, summary="Sign in")
def sign_in(request, number: str, payload: SignInIn):
    m = _meeting(request.user, number)
    a = services.do_sign_in(
        actor=request.user, meeting=m, resident=payload.resident, token=payload.token
    )
    m.refresh_from_db(fields=["present"])
    return Status(201, {"meeting": m.number, "method": a.method, "present": m.present})


def _agenda_item(m, item_id: int):
    item = m.items.filter(pk=item_id).first()
    if item is None:
        raise NotFound("not_found", _("There is no such item on this agenda."))
    return item


class VoteIn(Schema):
    choice: ChoiceName


class VoteOut(Schema):
    item: int
    choice: str


@router.post(
    "/meetings/{number}/items/{item_id}/vote",
    response={201: VoteOut, **ERRORS},
    summary="Vote on an item",
)
def vote(request, number: str, item_id: int, payload: VoteIn):
    m = _meeting(request.user, number)
    v = services.do_vote(actor=request.user, item=_agenda_item(m, item_id), choice=payload.choice)
    return Status(201, {"item": v.item_id, "choice": v.choice})


class HandsIn(Schema):
    votes_for: int = Field(ge=0)
    votes_against: int = Field(ge=0)
    votes_abstain: int = Field(0, ge=0)


@router.post(
    "/meetings/{number}/items/{item_id}/hands",
    response={200: ItemOut, **ERRORS},
    summary="Record a show of hands",
)
def hands(request, number: str, item_id: int, payload: HandsIn):
    m = _meeting(request.user, number)
    item = services.do_count_hands(
        actor=request.user,
        item=_agenda_item(m, item_id),
        votes_for=payload.votes_for,
        votes_against=payload.votes_against,
        votes_abstain=payload.votes_abstain,
    )
    return _item(item)
