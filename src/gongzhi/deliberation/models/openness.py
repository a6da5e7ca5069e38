"""Openness (两公开): a resolution and, later, its result published (公示) for a period
on the village's public page and to every household's inbox, with objections collected;
the implementation with owners, deadlines, budget and progress; residents' ratings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel

from ..choices import ImplementationState, ObjectionState, PublicationKind
from ._base import InVillage, InVillageQuerySet

__all__ = ["Implementation", "Objection", "Progress", "Publication", "Rating"]


class Publication(InVillage, TimeStampedModel):
    matter = models.ForeignKey(
        "deliberation.Matter",
        verbose_name=_("major matter"),
        on_delete=models.CASCADE,
        related_name="publications",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PublicationKind.choices)
    text = models.TextField(_("text published"))
    starts_on = models.DateField(_("published from"))
    ends_on = models.DateField(_("until"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    households_told = models.PositiveIntegerField(_("households told"), default=0)

    objects = InVillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication (公示)")
        verbose_name_plural = _("publications (公示)")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "kind"], name="delib_one_publication")
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.kind} {self.starts_on}"


class Objection(TimeStampedModel):
    publication = models.ForeignKey(
        Publication,
        verbose_name=_("publication"),
        on_delete=models.CASCADE,
        related_name="objections",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("objection"))
    state = models.CharField(
        _("state"), max_length=10, choices=ObjectionState.choices, default=ObjectionState.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.publication_id}: {self.body[:30]}"


class Implementation(InVillage, TimeStampedModel):
    """One piece of carrying out a resolution: who owns it, by when, with what money."""

    matter = models.ForeignKey(
        "deliberation.Matter",
        verbose_name=_("major matter"),
        on_delete=models.CASCADE,
        related_name="implementations",
    )
    title = models.CharField(_("task"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    owner_name = models.CharField(_("owner (as published)"), max_length=60)
    due_on = models.DateField(_("due on"))
    budget = models.DecimalField(
        _("budget (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    spent = models.DecimalField(_("spent (yuan)"), max_digits=12, decimal_places=2, default=0)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ImplementationState.choices,
        default=ImplementationState.PLANNED,
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    late_noticed_at = models.DateTimeField(_("late notice sent"), null=True, blank=True)
    # Stopped (中止) by the committee, e.g. made moot: the reason is published with the task.
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("stopped by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stop_reason = models.TextField(_("why it was stopped"), blank=True)

    objects = InVillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("implementation")
        verbose_name_plural = _("implementations")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["state", "due_on"], name="delib_impl_due")]

    def __str__(self) -> str:
        return self.title


class Progress(models.Model):
    implementation = models.ForeignKey(
        Implementation,
        verbose_name=_("implementation"),
        on_delete=models.CASCADE,
        related_name="updates",
    )
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("what was done"))
    photos = models.JSONField(_("photos"), default=list, blank=True)
    spent = models.DecimalField(
        _("spent so far (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["implementation_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.implementation_id} {self.percent}%"


class Rating(models.Model):
    """A resident's rating of a matter's implemented result (1–5), once per person."""

    matter = models.ForeignKey(
        "deliberation.Matter",
        verbose_name=_("major matter"),
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stars = models.PositiveSmallIntegerField(_("rating"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["matter", "user"], name="delib_one_rating"),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="delib_rating_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.stars}"
