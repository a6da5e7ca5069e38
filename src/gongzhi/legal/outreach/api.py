"""普法 in the JSON API (under /api/v1/legal/outreach/).

GET  /outreach/articles             the caller's articles: sent to them first, then the
                                    public ones for their area (``unread`` only if asked)
GET  /outreach/articles/{id}        one article (reading it marks it read); the quiz without
                                    its answers until answered, then with them and the score
POST /outreach/articles/{id}/quiz   answer the quiz once: ``{"choices": [index, ...]}``
"""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.api import ErrorOut, Pages
from gongzhi.core.errors import NotFound

from ..models import Article, QuizAnswer
from . import queries, services

router = Router(tags=["legal"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ArticleRow(Schema):
    id: int
    title: str
    summary: str
    campaign: str | None
    published_at: dt.datetime
    sent: bool
    read: bool
    has_quiz: bool
    answered: bool
    cover: str | None


class Question(Schema):
    question: str
    options: list[str]
    answer: int | None = None
    mine: int | None = None


class ArticleOut(Schema):
    id: int
    title: str
    summary: str
    body: str
    campaign: str | None
    published_at: dt.datetime
    cover: str | None
    video: str | None
    images: list[str]
    quiz: list[Question]
    score: int | None
    total: int


class ListFilters(Schema):
    unread: bool = False


class QuizAnswerIn(Schema):
    choices: list[int]


class AnswerOut(Schema):
    score: int
    total: int
    quiz: list[Question]


def _url(request, f):
    return request.build_absolute_uri(f.url) if f else None


@router.get("/outreach/articles", response={200: list[ArticleRow], **ERRORS}, summary="My articles")
@paginate(Pages)
def list_articles(request, filters: Query[ListFilters]):
    rows = queries.reader_articles(request.user)
    if filters.unread:
        rows = rows.filter(sent=True, read=False)
    return [
        {
            "id": a.pk,
            "title": a.title,
            "summary": a.summary,
            "campaign": a.campaign.title if a.campaign else None,
            "published_at": a.published_at,
            "sent": a.sent,
            "read": a.read,
            "has_quiz": bool(a.quiz),
            "answered": a.answered,
            "cover": _url(request, a.cover_thumb),
        }
        for a in rows
    ]


def _article(request, pk) -> Article:
    found = Article.objects.for_reader(request.user).filter(pk=pk).first()
    if found is None:
        raise NotFound("not_found", _("No such article."))
    return found


def _quiz(article, answer) -> list[dict]:
    out = []
    for n, q in enumerate(article.quiz):
        item = {"question": q["question"], "options": q["options"]}
        if answer is not None:
            item["answer"] = q["answer"]
            item["mine"] = answer.choices[n] if n < len(answer.choices) else None
        out.append(item)
    return out


@router.get("/outreach/articles/{int:pk}", response={200: ArticleOut, **ERRORS}, summary="Read")
def read_article(request, pk: int):
    article = _article(request, pk)
    services.do_read(user=request.user, article=article)
    answer = QuizAnswer.objects.filter(article=article, user=request.user).first()
    return {
        "id": article.pk,
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "campaign": article.campaign.title if article.campaign else None,
        "published_at": article.published_at,
        "cover": _url(request, article.cover),
        "video": _url(request, article.video),
        "images": [_url(request, i.image) for i in article.images.all()],
        "quiz": _quiz(article, answer),
        "score": answer.score if answer else None,
        "total": len(article.quiz),
    }


@router.post(
    "/outreach/articles/{int:pk}/quiz", response={200: AnswerOut, **ERRORS}, summary="Answer"
)
def answer_quiz(request, pk: int, payload: QuizAnswerIn):
    article = _article(request, pk)
    answer = services.do_answer(user=request.user, article=article, choices=payload.choices)
    return {"score": answer.score, "total": answer.total, "quiz": _quiz(article, answer)}
