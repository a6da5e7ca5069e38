"""Legal advice (法律咨询): a resident's question, routed to their village's legal adviser or
to the lawyer on duty at the county centre (``DutyShift``), answered within a reply deadline
on the working-day calendar; answered questions, anonymised, join the knowledge base
(``KnowledgeEntry``), searched with the database's full-text engine (``advice/search.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.regions.models import Region

from ..advice.choices import QuestionState, Route
from .points import ServicePoint

__all__ = ["DutyShift", "KnowledgeEntry", "Question"]


class DutyShift(TimeStampedModel):
    """One lawyer on duty at a county centre on one day (the duty roster, edited in the
    admin): questions from villages without an adviser, passed on or overdue go to them."""

    centre = models.ForeignKey(
        ServicePoint,
        verbose_name=_("centre"),
        on_delete=models.CASCADE,
        related_name="duty_shifts",
        limit_choices_to={"level": "centre"},
    )
    day = models.DateField(_("day"), db_index=True)
    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lawyer"),
        on_delete=models.CASCADE,
        related_name="legal_duty_shifts",
    )

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")
        ordering = ["-day", "centre"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "day", "lawyer"], name="legal_duty_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.lawyer}"


class QuestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The asker sees their own questions, a lawyer those routed to them (or answered by
        them), the county's legal-aid and 普法 staff their county's (oversight), an
        administrator all."""
        if user is None or not user.is_authenticated:
            return self.none()
        from gongzhi.core.scope import scope_for

        from .. import staff

        scope = scope_for(user)
        if scope.everything:
            return self
        q = Q(asker=user) | Q(lawyer=user) | Q(answered_by=user)
        for path in {*staff.aid_reviewer_paths(scope), *staff.outreach_paths(scope)}:
            q |= Q(region_path__startswith=path)
        return self.filter(q)

    def waiting(self):
        return self.filter(state=QuestionState.WAITING)


class Question(TimeStampedModel):
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="legal_questions",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("village or community"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region_path = models.CharField(_("region path"), max_length=255, db_index=True)
    text = models.TextField(_("question"), max_length=2000)
    photo = models.ImageField(_("photo"), upload_to="legal/advice/%Y/%m/", blank=True)
    photo_thumb = models.ImageField(
        _("photo thumbnail"), upload_to="legal/advice/%Y/%m/", blank=True
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=QuestionState.choices,
        default=QuestionState.WAITING,
        db_index=True,
    )
    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lawyer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="legal_questions_routed",
    )
    route = models.CharField(_("route"), max_length=10, choices=Route.choices)
    asked_at = models.DateTimeField(_("asked at"), db_index=True)
    due_at = models.DateTimeField(_("answer due"), db_index=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="legal_answers",
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_note = models.CharField(_("comment on the answer"), max_length=300, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal question")
        verbose_name_plural = _("legal questions")
        ordering = ["-asked_at"]
        indexes = [models.Index(fields=["lawyer", "state", "due_at"], name="legal_q_desk")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:20]}"

    @property
    def answered_in_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return self.answered_at <= self.due_at


class KnowledgeEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Public to every signed-in user: the entries are anonymised and published."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(published=True)


class KnowledgeEntry(TimeStampedModel):
    """An answered question with its personal details removed, as the lawyer published it.
    ``terms`` (the title, as the lawyer wrote it) and ``body_terms`` (the question and its
    answer): the text cut into space-separated search terms (jieba words, CJK character
    bigrams, legal concepts), which the full-text index reads (FTS5 on SQLite, a tsvector on
    PostgreSQL), the title weighing more."""

    question = models.OneToOneField(
        Question,
        verbose_name=_("question"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="knowledge_entry",
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("question (anonymised)"))
    answer = models.TextField(_("answer"))
    county_path = models.CharField(_("county path"), max_length=255, blank=True, db_index=True)
    terms = models.TextField(_("search terms of the title"), blank=True, editable=False)
    body_terms = models.TextField(_("search terms of the text"), blank=True, editable=False)
    published = models.BooleanField(_("published"), default=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = KnowledgeEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("knowledge base entry")
        verbose_name_plural = _("knowledge base")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        from ..advice.search import entry_terms

        self.terms, self.body_terms = entry_terms(self.title, self.body, self.answer)
        super().save(*args, **kwargs)
