"""Major matters (重大事项) decided by 四议两公开: one record per matter, moved by the
table in ``matters/workflow.py``; each of its steps is kept as a ``MatterStep`` (who
proposed, who took part, the outcome, the minutes, the meeting where it was taken)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.core.timeline import TimelineEvent

from ..choices import ItemOutcome, MatterState, MatterStepKind, MeetingKind
from ._base import InVillage, InVillageQuerySet

__all__ = ["Matter", "MatterEvent", "MatterStep"]


class Matter(InVillage, TimeStampedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=100)
    summary = models.TextField(_("what is proposed"))
    budget = models.DecimalField(
        _("budget (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    state = models.CharField(
        _("state"), max_length=12, choices=MatterState.choices, default=MatterState.PROPOSED
    )
    # A major matter goes through all of 四议两公开; an ordinary decision (a topic a
    # meeting passed) starts resolved, with the meeting's step, and is published and
    # carried out the same way.
    major = models.BooleanField(_("major matter (四议两公开)"), default=True)
    # Which meeting resolves it: the villagers' assembly or their representatives
    # (a community's residents' assembly or representatives).
    resolved_by = models.CharField(
        _("resolved by"),
        max_length=20,
        choices=MeetingKind.choices,
        default=MeetingKind.VILLAGE_REPRESENTATIVES,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    done_at = models.DateTimeField(_("implemented at"), null=True, blank=True)

    objects = InVillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("major matter")
        verbose_name_plural = _("major matters")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region_path", "state"], name="delib_matter_place")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class MatterEvent(TimelineEvent):
    matter = models.ForeignKey(
        Matter, verbose_name=_("major matter"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_state = models.CharField(_("from"), max_length=12, choices=MatterState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=MatterState.choices, blank=True)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("matter timeline entry")
        verbose_name_plural = _("matter timeline")
        indexes = [
            models.Index(
                fields=["id"], condition=Q(effects_pending=True), name="delib_matter_pending"
            )
        ]


class MatterStep(models.Model):
    """One step of 四议两公开 as it was taken: at most one per kind and matter."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("major matter"), on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField(_("step"), max_length=12, choices=MatterStepKind.choices)
    meeting = models.ForeignKey(
        "deliberation.Meeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matter_steps",
    )
    proposer = models.CharField(_("proposed by"), max_length=100, blank=True)
    participants = models.TextField(_("who took part"), blank=True)
    participant_count = models.PositiveIntegerField(_("number taking part"), default=0)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=ItemOutcome.choices, default=ItemOutcome.PASSED
    )
    votes_for = models.PositiveIntegerField(_("for"), default=0)
    votes_against = models.PositiveIntegerField(_("against"), default=0)
    votes_abstain = models.PositiveIntegerField(_("abstained"), default=0)
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("step of 四议两公开")
        verbose_name_plural = _("steps of 四议两公开")
        ordering = ["matter_id", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "kind"], name="delib_one_step_each")
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.kind}"
