"""The advice room's JSON API, under /api/v1/legal/advice/.

POST /advice/questions                  ask (``services.do_ask``); region by code, else the
                                        asker's village
GET  /advice/questions                  the questions the caller sees (own, routed, county)
GET  /advice/questions/{id}             one question (scoped: others' are "not found")
POST /advice/questions/{id}/answer      the routed lawyer answers (and publishes)
POST /advice/questions/{id}/pass        the lawyer passes it to the duty lawyer
POST /advice/questions/{id}/rate        the asker rates the answer
GET  /advice/knowledge?q=               the knowledge base, searched (ranked) or latest
GET  /advice/knowledge/{id}             one entry

Errors: ``{"error", "message", "field"}`` with 400/403/404.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.api import ErrorOut, Pages
from gongzhi.core.db import MAX_ID
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.regions.models import Region

from ..models import KnowledgeEntry, Question
from . import queries, search, services

router = Router(tags=["legal advice"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class AskIn(Schema):
    text: str = Field(..., max_length=2000)
    region: str | None = Field(None, max_length=20, description="village or community code")


class AnswerIn(Schema):
    answer: str = Field(..., max_length=5000)
    publish: bool = True
    public_text: str | None = Field(None, max_length=2000)
    title: str = Field("", max_length=120)


class RateIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    note: str = Field("", max_length=300)


class QuestionOut(Schema):
    id: int
    text: str
    region: str
    region_name: str
    state: str
    route: str
    lawyer: str | None
    asked_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    answer: str
    answered_at: dt.datetime | None
    rating: int | None
    mine: bool


class EntryOut(Schema):
    id: int
    title: str
    question: str
    answer: str
    published_at: dt.datetime | None
    score: float | None = None


def _out(q: Question, user) -> dict:
    return {
        "id": q.pk,
        "text": queries.shown_text(q, user),
        "region": q.region.code,
        "region_name": q.region.name,
        "state": q.state,
        "route": q.route,
        "lawyer": q.lawyer.masked_name if q.lawyer else None,
        "asked_at": q.asked_at,
        "due_at": q.due_at,
        "overdue": queries.is_overdue(q),
        "answer": q.answer,
        "answered_at": q.answered_at,
        "rating": q.rating,
        "mine": q.asker_id == user.pk,
    }


def _entry(e: KnowledgeEntry, score=None) -> dict:
    return {
        "id": e.pk,
        "title": e.title,
        "question": e.body,
        "answer": e.answer,
        "published_at": e.published_at,
        "score": score,
    }


def _one(request, question_id: int) -> Question:
    q = queries.question(request.user, question_id)
    if q is None:
        raise NotFound("not_found", _("No such question."))
    return q


@router.post("/advice/questions", response={201: QuestionOut, **ERRORS})
def ask(request, body: AskIn):
    region = None
    if body.region:
        region = Region.objects.filter(code=body.region.strip()).first()
        if region is None:
            raise ServiceError("region_unknown", _("No such village or community."), "region")
    q = services.do_ask(user=request.user, text=body.text, region=region)
    return Status(201, _out(_one(request, q.pk), request.user))


@router.get("/advice/questions", response={200: list[QuestionOut], **ERRORS})
@paginate(Pages)
def questions(request, state: str | None = None):
    qs = Question.objects.visible_to(request.user).select_related("region", "lawyer")
    if state:
        qs = qs.filter(state=state)
    return [_out(q, request.user) for q in qs.order_by("-asked_at")]


@router.get("/advice/questions/{question_id}", response={200: QuestionOut, **ERRORS})
def question(request, question_id: Id):
    return _out(_one(request, question_id), request.user)


@router.post("/advice/questions/{question_id}/answer", response={200: QuestionOut, **ERRORS})
def answer(request, question_id: Id, body: AnswerIn):
    _one(request, question_id)
    services.do_answer(
        user=request.user,
        question_id=question_id,
        answer=body.answer,
        publish=body.publish,
        public_text=body.public_text,
        title=body.title,
    )
    return _out(_one(request, question_id), request.user)


@router.post("/advice/questions/{question_id}/pass", response={200: QuestionOut, **ERRORS})
def pass_on(request, question_id: Id):
    services.do_pass_to_duty(user=request.user, question_id=question_id)
    return _out(_one(request, question_id), request.user)


@router.post("/advice/questions/{question_id}/rate", response={200: QuestionOut, **ERRORS})
def rate(request, question_id: Id, body: RateIn):
    services.do_rate(user=request.user, question_id=question_id, rating=body.rating, note=body.note)
    return _out(_one(request, question_id), request.user)


class KnowledgeQuery(Schema):
    q: str = Field("", max_length=200)
    limit: int = Field(10, ge=1, le=50)


@router.get("/advice/knowledge", response={200: list[EntryOut], **ERRORS})
def knowledge(request, params: Query[KnowledgeQuery]):
    if not request.user.is_authenticated:
        return []
    if params.q.strip():
        return [_entry(e, s) for e, s in search.search(params.q, limit=params.limit)]
    latest = KnowledgeEntry.objects.visible_to(request.user)[: params.limit]
    return [_entry(e) for e in latest]


@router.get("/advice/knowledge/{entry_id}", response={200: EntryOut, **ERRORS})
def knowledge_entry(request, entry_id: Id):
    entry = KnowledgeEntry.objects.visible_to(request.user).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("not_found", _("No such entry."))
    return _entry(entry)
