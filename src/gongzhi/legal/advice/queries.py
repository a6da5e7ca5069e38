"""Selectors for the advice pages and API: every list starts from ``visible_to``."""

from __future__ import annotations

from django.utils import timezone

from gongzhi.accounts.masking import mask_numbers_in_text

from ..models import Question
from .choices import QuestionState


def mine(user):
    return Question.objects.filter(asker=user).select_related("lawyer", "region")


def desk(user):
    """The lawyer's questions: waiting ones, the earliest due first."""
    return (
        Question.objects.visible_to(user)
        .filter(lawyer=user, state=QuestionState.WAITING)
        .select_related("region")
        .order_by("due_at", "pk")
    )


def answered_by(user, limit=20):
    return (
        Question.objects.visible_to(user)
        .filter(answered_by=user)
        .select_related("region")
        .order_by("-answered_at")[:limit]
    )


def oversight(user):
    """Waiting questions the user sees but neither asked nor holds (county legal staff)."""
    return (
        Question.objects.visible_to(user)
        .filter(state=QuestionState.WAITING)
        .exclude(lawyer=user)
        .exclude(asker=user)
        .select_related("region", "lawyer")
        .order_by("due_at")
    )


def question(user, pk: int):
    return (
        Question.objects.visible_to(user)
        .select_related("asker", "lawyer", "region", "answered_by")
        .filter(pk=pk)
        .first()
    )


def shown_text(q: Question, user) -> str:
    """The question as this user may read it: whole to its asker and its lawyer, numbers
    masked to others (oversight)."""
    if user.pk in (q.asker_id, q.lawyer_id, q.answered_by_id):
        return q.text
    return mask_numbers_in_text(q.text)


def is_overdue(q: Question, now=None) -> bool:
    return q.state == QuestionState.WAITING and q.due_at < (now or timezone.now())
