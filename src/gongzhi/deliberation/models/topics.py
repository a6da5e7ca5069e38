"""Topics (议题): a matter of common concern a resident raises in their village or
community, the supports it gathers (one per person, or per household where the village's
rule says so), and the comments on it (threads; a hidden comment keeps its record)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.core.timeline import TimelineEvent

from ..choices import TopicState
from ._base import InVillage, InVillageQuerySet

__all__ = ["Comment", "Support", "Topic", "TopicEvent"]


class Topic(InVillage, TimeStampedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=80)
    body = models.TextField(_("what it is about"))
    photos = models.JSONField(_("photos"), default=list, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=TopicState.choices, default=TopicState.OPEN
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="deliberation_topics",
    )
    # The author's entry in the village's register when they raised it (people.Resident).
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
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
    supports_count = models.PositiveIntegerField(_("supports"), default=0)
    households_count = models.PositiveIntegerField(_("households supporting"), default=0)
    threshold = models.PositiveIntegerField(
        _("households needed"), default=0, help_text=_("Fixed when the topic is raised.")
    )
    # The rest of the village's rule as it stood when the topic was raised: a rule edited
    # later does not change a topic's terms.
    one_per_household = models.BooleanField(_("one support per household"), default=False)
    answer_days = models.PositiveSmallIntegerField(_("working days to answer"), default=10)
    threshold_reached_at = models.DateTimeField(_("threshold reached"), null=True, blank=True)
    answer_due = models.DateTimeField(_("answer due"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer = models.TextField(_("answer"), blank=True)
    late_noticed_at = models.DateTimeField(_("late notice sent"), null=True, blank=True)
    case_number = models.CharField(_("case raised"), max_length=30, blank=True)
    dispute_number = models.CharField(_("dispute raised"), max_length=30, blank=True)
    matter = models.ForeignKey(
        "deliberation.Matter",
        verbose_name=_("major matter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
    )

    objects = InVillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region_path", "state"], name="delib_topic_place"),
            # The tick's question: topics past their answer date, not yet answered.
            models.Index(fields=["state", "answer_due"], name="delib_topic_due"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class TopicEvent(TimelineEvent):
    """One line of a topic's public record (raised, threshold reached, put on an agenda,
    answered, …). Written by the workflow engine only."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_state = models.CharField(_("from"), max_length=12, choices=TopicState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=TopicState.choices, blank=True)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("topic timeline entry")
        verbose_name_plural = _("topic timeline")
        indexes = [
            models.Index(
                fields=["id"], condition=Q(effects_pending=True), name="delib_topic_pending"
            )
        ]


class Support(models.Model):
    """One person's support of a topic (and their household, for the threshold)."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supporter"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="delib_one_support_per_person")
        ]
        indexes = [models.Index(fields=["topic", "household"], name="delib_support_household")]

    def __str__(self) -> str:
        return f"{self.topic_id} ← {self.user_id}"


class Comment(TimeStampedModel):
    """A comment on a topic, or a reply to one. Moderators hide a comment with a reason;
    its words stay on record for staff, the public sees only that it was hidden."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("comment"))
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.CharField(_("why it was hidden"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.topic_id}: {self.body[:30]}"

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None
