"""The matters' part of the JSON API (mounted under /api/v1/deliberation/).

GET  /matters                               the caller's visible matters: filters, pages
POST /matters                               propose (the village's Party secretary)
GET  /matters/{number}                      one matter with its steps, timeline and the
                                            caller's actions
POST /matters/{number}/actions/{action}     a step of the table (409 out of order)
POST /matters/{number}/agenda               put it on a meeting's agenda

Every read starts from ``Matter.objects.visible_to(request.user)``: a matter outside it
is "not found", as a missing one. Errors: ``{"error","message","field"}``.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.api import ErrorOut, Pages
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.core.scope import scope_for

from .. import members
from ..choices import MatterState
from ..models import Meeting, Topic
from . import queries, services
from .present import masked_steps, timeline_rows
from .workflow import RULES

router = Router(tags=["deliberation matters"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
StateName = Literal[tuple(MatterState.values)]  # type: ignore[valid-type]
ActionName = Literal[tuple(RULES)]  # type: ignore[valid-type]


class MatterFilter(Schema):
    state: list[StateName] | None = Field(None, description="one or more states")
    major: bool | None = None
    open: bool | None = Field(None, description="true: not yet done, failed or withdrawn")
    region: str | None = Field(None, max_length=255, description="region path prefix")
    q: str | None = Field(None, max_length=40, description="part of the number or title")


class MatterRow(Schema):
    number: str
    title: str
    state: str
    state_label: str
    major: bool
    region_code: str
    region_name: str
    region_path: str
    resolved_by: str
    budget: Decimal | None
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    done_at: dt.datetime | None


def _row(m) -> dict:
    return {
        "number": m.number,
        "title": m.title,
        "state": m.state,
        "state_label": str(m.get_state_display()),
        "major": m.major,
        "region_code": m.region.code,
        "region_name": m.region.name,
        "region_path": m.region_path,
        "resolved_by": m.resolved_by,
        "budget": m.budget,
        "created_at": m.created_at,
        "resolved_at": m.resolved_at,
        "done_at": m.done_at,
    }


@router.get("/matters", response={200: list[MatterRow], **ERRORS}, summary="Major matters")
@paginate(Pages)
def list_matters(request, filters: Query[MatterFilter]):
    """The matters the caller may see (a village's committee and villagers their village's,
    a township all its villages'), newest first."""
    f = queries.Filters(
        state=filters.state,
        major=filters.major,
        open=filters.open,
        region_path=filters.region,
        q=filters.q,
    )
    return [_row(m) for m in queries.visible(request.user, f)]


class ProposeIn(Schema):
    region: str = Field(max_length=12, description="the village's or community's region code")
    title: str = Field(max_length=200)
    summary: str = Field(max_length=8000)
    resolved_by: Literal[
        "village_assembly", "village_reps", "resident_assembly", "resident_reps"
    ] = "village_reps"
    budget: Decimal | None = Field(None, ge=0, le=9999999999)
    topic: str | None = Field(None, max_length=20, description="the topic's number, if any")
    proposer: str = Field("", max_length=200)
    participants: str = Field("", max_length=4000)
    participant_count: int = Field(0, ge=0, le=500)
    minutes: str = Field(max_length=8000)


class StepOut(Schema):
    kind: str
    label: str
    taken: bool
    at: dt.datetime | None = None
    meeting: str | None = None
    proposer: str = ""
    participants: str = ""
    participant_count: int = 0
    outcome: str | None = None
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0
    minutes: str = ""


class MatterEventOut(Schema):
    at: dt.datetime
    action: str
    from_state: str
    to_state: str
    note: str


class DetailOut(MatterRow):
    summary: str
    resolution: str
    steps: list[StepOut]
    timeline: list[MatterEventOut]
    actions: list[str]


def _detail(matter, user) -> dict:
    scope = scope_for(user)
    staff = scope.everything or members.covers(members.staff_paths(scope), matter.region_path)
    steps = []
    for row in masked_steps(queries.checklist(matter), staff=staff):
        s = row["step"]
        out = {"kind": row["kind"].value, "label": str(row["label"]), "taken": s is not None}
        if s is not None:
            out.update(
                at=s.at,
                meeting=s.meeting.number if s.meeting_id else None,
                proposer=row["proposer"],
                participants=row["participants"],
                participant_count=s.participant_count,
                outcome=s.outcome,
                votes_for=s.votes_for,
                votes_against=s.votes_against,
                votes_abstain=s.votes_abstain,
                minutes=row["minutes"],
            )
        steps.append(out)
    return {
        **_row(matter),
        "summary": matter.summary,
        "resolution": matter.resolution,
        "steps": steps,
        "timeline": [
            {
                "at": t["event"].at,
                "action": t["event"].action,
                "from_state": t["event"].from_state,
                "to_state": t["event"].to_state,
                "note": t["note"],
            }
            for t in timeline_rows(queries.timeline(matter), staff=staff)
        ],
        "actions": services.allowed_actions(matter, user),
    }


@router.post("/matters", response={201: DetailOut, **ERRORS}, summary="Propose a major matter")
def propose(request, payload: ProposeIn):
    region = services.region_for(payload.region)
    if region is None:
        raise ServiceError("invalid", _("There is no such village or community."), "region")
    topic = None
    if payload.topic:
        topic = Topic.objects.visible_to(request.user).filter(number=payload.topic).first()
        if topic is None:
            raise ServiceError("invalid", _("There is no such topic."), "topic")
    matter = services.do_propose(
        actor=request.user,
        region=region,
        title=payload.title,
        summary=payload.summary,
        resolved_by=payload.resolved_by,
        budget=payload.budget,
        topic=topic,
        proposer=payload.proposer,
        participants=payload.participants,
        participant_count=payload.participant_count,
        minutes=payload.minutes,
    )
    return Status(201, _detail(matter, request.user))


@router.get("/matters/{number}", response={200: DetailOut, **ERRORS}, summary="One matter")
def detail(request, number: str):
    matter = services.get_matter(actor=request.user, number=number)
    return _detail(matter, request.user)


class MatterActionIn(Schema):
    expected_state: StateName | None = None
    outcome: Literal["passed", "rejected"] | None = None
    participants: str | None = Field(None, max_length=4000)
    participant_count: int | None = Field(None, ge=0, le=500)
    proposer: str | None = Field(None, max_length=200)
    votes_for: int | None = Field(None, ge=0, le=500)
    votes_against: int | None = Field(None, ge=0, le=500)
    votes_abstain: int | None = Field(None, ge=0, le=500)
    minutes: str | None = Field(None, max_length=8000)
    meeting: str | None = Field(None, max_length=20, description="the meeting's number")
    resolution: str | None = Field(None, max_length=8000)
    text: str | None = Field(None, max_length=8000)
    days: int | None = Field(None, ge=1, le=365)
    note: str | None = Field(None, max_length=4000)
    reason: str | None = Field(None, max_length=4000)


class MatterActionOut(Schema):
    number: str
    action: str
    state: str
    event: int | None


def _meeting(matter, number: str | None):
    if not number:
        return None
    meeting = Meeting.objects.filter(number=number.strip().upper(), region_id=matter.region_id)
    found = meeting.first()
    if found is None:
        raise ServiceError("invalid", _("There is no such meeting in this village."), "meeting")
    return found


@router.post(
    "/matters/{number}/actions/{action}",
    response={200: MatterActionOut, **ERRORS},
    summary="Take a step of 四议两公开",
)
def take_action(request, number: str, action: str, payload: MatterActionIn):
    """A step with the same checks as the pages: 404 unknown action or matter, 403 not the
    caller's to take, 409 out of order or changed since seen, 400 bad input; nothing is
    written unless it succeeds."""
    if action not in RULES:
        raise NotFound("unknown_action", _("There is no such action."))
    matter = services.get_matter(actor=request.user, number=number)
    params = payload.dict(exclude_none=True)
    expected = params.pop("expected_state", None)
    if "meeting" in params:
        params["meeting"] = _meeting(matter, params["meeting"])
    done = services.do_step(
        actor=request.user, matter=matter, action=action, expected_state=expected, **params
    )
    event = getattr(done, "last_event", None)
    return {
        "number": done.number,
        "action": action,
        "state": done.state,
        "event": event.pk if event is not None else None,
    }


class AgendaIn(Schema):
    meeting: str = Field(max_length=20, description="the meeting's number")


class AgendaOut(Schema):
    meeting: str
    order: int
    title: str


@router.post(
    "/matters/{number}/agenda",
    response={201: AgendaOut, **ERRORS},
    summary="Put a matter on a meeting's agenda",
)
def put_on_agenda(request, number: str, payload: AgendaIn):
    matter = services.get_matter(actor=request.user, number=number)
    item = services.do_put_on_agenda(
        actor=request.user, matter=matter, meeting=_meeting(matter, payload.meeting)
    )
    return Status(201, {"meeting": item.meeting.number, "order": item.order, "title": item.title})
