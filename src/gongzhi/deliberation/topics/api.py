"""The topics room's JSON API, mounted under /api/v1/deliberation/.

GET  /topics                                    the caller's topics (their village, or their area)
POST /topics                                    raise one (multipart: fields and ``photos``)
GET  /topics/{number}                           one topic: supports, clock, comments, timeline,
                                                the caller's actions
POST /topics/{number}/support                   support it (one per person)
POST /topics/{number}/comments                  comment or reply (``parent``)
POST /topics/{number}/comments/{id}/hide        hide a comment with a reason
POST /topics/{number}/actions/{action}          put_on_agenda, answer, refer, withdraw

Every read starts from ``Topic.objects.visible_to``: a topic outside it is "not found".
Errors: ``{"error", "message", "field"}``.
"""

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongzhi.core.api import ErrorOut, Pages
from gongzhi.core.errors import NotFound, ServiceError

from ..choices import TopicState
from ..models import Comment
from . import queries, services
from .workflow import FLOW, PAGE_ACTIONS

router = Router(tags=["deliberation topics"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
StateName = Literal[(*TopicState.values, "late")]  # type: ignore[valid-type]
ActionName = Literal[PAGE_ACTIONS]  # type: ignore[valid-type]


class TopicRow(Schema):
    number: str
    title: str
    state: str
    state_label: str
    region_path: str
    region_name: str
    supports: int
    households: int
    threshold: int
    threshold_reached_at: dt.datetime | None
    answer_due: dt.datetime | None
    answered_at: dt.datetime | None
    created_at: dt.datetime


def _row(t) -> dict:
    return {
        "number": t.number,
        "title": t.title,
        "state": t.state,
        "state_label": str(t.get_state_display()),
        "region_path": t.region_path,
        "region_name": t.region.name,
        "supports": t.supports_count,
        "households": t.households_count,
        "threshold": t.threshold,
        "threshold_reached_at": t.threshold_reached_at,
        "answer_due": t.answer_due,
        "answered_at": t.answered_at,
        "created_at": t.created_at,
    }


class TopicFilter(Schema):
    state: StateName | None = None
    region: str | None = Field(None, max_length=255, description="region path prefix")


@router.get("/topics", response={200: list[TopicRow], **ERRORS}, summary="Topics")
@paginate(Pages)
def list_topics(request, filters: Query[TopicFilter]):
    """The topics the caller sees (a villager their village's, staff their area's)."""
    return [
        _row(t) for t in queries.visible(request.user, state=filters.state, region=filters.region)
    ]


class CommentOut(Schema):
    id: int
    author: str = Field(description="masked name")
    at: dt.datetime
    hidden: bool
    reason: str
    body: str = Field(description="empty when hidden, except for moderators")
    replies: list["CommentOut"] = Field(default_factory=list)


class TopicEventOut(Schema):
    at: dt.datetime
    action: str
    from_state: str
    to_state: str
    note: str


class TopicOut(TopicRow):
    body: str
    place: str
    lng: float | None
    lat: float | None
    author: str = Field(description="masked name")
    photos: int
    answer: str
    case_number: str
    dispute_number: str
    supported: bool
    actions: list[str]
    comments: list[CommentOut]
    timeline: list[TopicEventOut]


def _detail(t, user) -> dict:
    allowed = FLOW.allowed_actions(t, user)
    return {
        **_row(t),
        "body": t.body,
        "place": t.place,
        "lng": t.lng,
        "lat": t.lat,
        "author": queries.shown_name(t.author, user),
        "photos": len(t.photos or []),
        "answer": t.answer,
        "case_number": t.case_number,
        "dispute_number": t.dispute_number,
        "supported": services.supported_by(topic=t, user=user),
        "actions": [a for a in allowed if a in (*PAGE_ACTIONS, "support", "comment")],
        "comments": queries.comments(t, user),
        "timeline": [
            {
                "at": e.at,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
            }
            for e in queries.timeline(t)
        ],
    }


def _topic(request, number: str):
    return services.get_topic(actor=request.user, number=number)


@router.get("/topics/{number}", response={200: TopicOut, **ERRORS}, summary="One topic")
def get_topic(request, number: str):
    return _detail(_topic(request, number), request.user)


class RaiseIn(Schema):
    title: str = Field(max_length=200)
    body: str = Field(max_length=8000)
    place: str = Field("", max_length=200)
    lng: float | None = None
    lat: float | None = None


@router.post("/topics", response={201: TopicOut, **ERRORS}, summary="Raise a topic")
def raise_topic(request, payload: Form[RaiseIn], photos: File[list[UploadedFile]] = None):
    """An adult villager raises a topic in their own village (multipart form)."""
    t = services.do_raise(
        actor=request.user,
        title=payload.title,
        body=payload.body,
        photos=photos or (),
        lng=payload.lng,
        lat=payload.lat,
        place=payload.place,
    )
    return Status(
        201, _detail(services.get_topic(actor=request.user, number=t.number), request.user)
    )


@router.post("/topics/{number}/support", response={200: TopicOut, **ERRORS}, summary="Support")
def support(request, number: str):
    t = services.do_support(actor=request.user, topic=_topic(request, number))
    return _detail(_topic(request, t.number), request.user)


class CommentIn(Schema):
    body: str = Field(max_length=8000)
    parent: int | None = None


@router.post("/topics/{number}/comments", response={201: CommentOut, **ERRORS}, summary="Comment")
def comment(request, number: str, payload: CommentIn):
    t = _topic(request, number)
    parent = None
    if payload.parent is not None:
        parent = Comment.objects.filter(topic=t, pk=payload.parent).first()
        if parent is None:
            raise ServiceError("invalid", _("That comment is not on this topic."), "parent")
    c = services.do_comment(actor=request.user, topic=t, body=payload.body, parent=parent)
    return Status(
        201,
        {
            "id": c.pk,
            "author": queries.shown_name(c.author, request.user),
            "at": c.created_at,
            "hidden": False,
            "reason": "",
            "body": c.body,
            "replies": [],
        },
    )


class HideIn(Schema):
    reason: str = Field(max_length=1000)


@router.post(
    "/topics/{number}/comments/{comment_id}/hide",
    response={200: TopicOut, **ERRORS},
    summary="Hide a comment",
)
def hide(request, number: str, comment_id: int, payload: HideIn):
    t = _topic(request, number)
    c = Comment.objects.filter(topic=t, pk=comment_id).first()
    if c is None:
        raise NotFound("not_found", _("There is no such comment."))
    services.do_hide_comment(actor=request.user, comment=c, reason=payload.reason)
    return _detail(_topic(request, number), request.user)


class ActIn(Schema):
    expected_state: str | None = Field(None, max_length=12)
    meeting: str | None = Field(
        None, max_length=20, description="put_on_agenda: the meeting's number"
    )
    answer: str | None = Field(None, max_length=8000, description="answer: the reason")
    to: Literal["case", "dispute"] | None = Field(None, description="refer: what it becomes")
    category: str | None = Field(
        None, max_length=40, description="refer: case category (id or code) or dispute type id"
    )
    other_party: str | None = Field(None, max_length=100, description="refer to a dispute")


@router.post(
    "/topics/{number}/actions/{action}",
    response={200: TopicOut, **ERRORS},
    summary="A step on a topic",
)
def act(request, number: str, action: ActionName, payload: ActIn):
    t = _topic(request, number)
    user, expected = request.user, payload.expected_state
    if action == "put_on_agenda":
        meeting = next((m for m in queries.open_meetings(t) if m.number == payload.meeting), None)
        if meeting is None and payload.meeting:
            FLOW.check(t, "put_on_agenda", user)  # a refusal before a wrong meeting
            raise ServiceError(
                "invalid", _("Choose one of the village's coming meetings."), "meeting"
            )
        services.do_put_on_agenda(actor=user, topic=t, meeting=meeting, expected_state=expected)
    elif action == "answer":
        services.do_answer(
            actor=user, topic=t, answer=payload.answer or "", expected_state=expected
        )
    elif action == "refer":
        services.do_refer(
            actor=user,
            topic=t,
            to=payload.to or "",
            category=payload.category,
            other_party=payload.other_party or "",
            expected_state=expected,
        )
    else:
        services.do_withdraw(actor=user, topic=t, expected_state=expected)
    return _detail(_topic(request, number), user)
