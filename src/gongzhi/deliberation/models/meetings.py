"""Meetings: a village's or community's meeting of a kind (its rule row says who makes the
quorum and how it decides), the agenda, the notice to every household, sign-in (the
clerk's list or the meeting's QR code), the quorum check, the votes on each item and the
minutes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.core.timeline import TimelineEvent

from ..choices import ItemOutcome, MeetingKind, MeetingState, SignInMethod, VoteChoice
from ._base import InVillage, InVillageQuerySet
from .rules import MeetingRule

__all__ = ["AgendaItem", "Attendance", "Meeting", "MeetingEvent", "Vote"]


class Meeting(InVillage, TimeStampedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    rule = models.ForeignKey(
        MeetingRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=100)
    place = models.CharField(_("where"), max_length=100)
    starts_at = models.DateTimeField(_("starts at"))
    state = models.CharField(
        _("state"), max_length=12, choices=MeetingState.choices, default=MeetingState.SCHEDULED
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("convened by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notice_sent_at = models.DateTimeField(_("notice sent"), null=True, blank=True)
    households_notified = models.PositiveIntegerField(_("households notified"), default=0)
    # The meeting's sign-in code (printed as a QR code at the door); a new one per meeting.
    sign_in_token = models.CharField(_("sign-in key"), max_length=43, unique=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    # Fixed when the session opens, from the register on that day.
    eligible = models.PositiveIntegerField(_("entitled to attend"), default=0)
    eligible_households = models.PositiveIntegerField(_("households"), default=0)
    present = models.PositiveIntegerField(_("present"), default=0)
    present_households = models.PositiveIntegerField(_("households present"), default=0)
    quorum_needed = models.PositiveIntegerField(_("needed for a quorum"), default=0)
    quorate = models.BooleanField(_("quorate"), null=True, blank=True)
    quorum_note = models.CharField(_("quorum check"), max_length=200, blank=True)
    voting_opened_at = models.DateTimeField(_("voting opened"), null=True, blank=True)
    voting_closes_at = models.DateTimeField(_("voting closes"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minutes taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InVillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["region_path", "starts_at"], name="delib_meeting_place")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class MeetingEvent(TimelineEvent):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_state = models.CharField(
        _("from"), max_length=12, choices=MeetingState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=12, choices=MeetingState.choices, blank=True)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("meeting timeline entry")
        verbose_name_plural = _("meeting timeline")
        indexes = [
            models.Index(
                fields=["id"], condition=Q(effects_pending=True), name="delib_meeting_pending"
            )
        ]


class AgendaItem(models.Model):
    """One item on a meeting's agenda: a topic, a major matter's step, or a plain question."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("item"), max_length=120)
    topic = models.ForeignKey(
        "deliberation.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )
    matter = models.ForeignKey(
        "deliberation.Matter",
        verbose_name=_("major matter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )
    put_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("put on the agenda by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    needs_vote = models.BooleanField(_("put to a vote"), default=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=ItemOutcome.choices, default=ItemOutcome.PENDING
    )
    votes_for = models.PositiveIntegerField(_("for"), default=0)
    votes_against = models.PositiveIntegerField(_("against"), default=0)
    votes_abstain = models.PositiveIntegerField(_("abstained"), default=0)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering = ["meeting_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.meeting_id}.{self.order} {self.title}"


class Attendance(models.Model):
    """One person signed in at a meeting. ``key`` is the resident's register entry
    (``r<id>``), or the account for staff outside the register (``u<id>``): one sign-in
    each, whichever way they came in."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    key = models.CharField(_("attendee"), max_length=24)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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
    # A representative or a household's proxy counts for the quorum as the rule says.
    as_representative = models.BooleanField(_("as a representative"), default=False)
    method = models.CharField(_("signed in"), max_length=6, choices=SignInMethod.choices)
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting_id", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "key"], name="delib_one_sign_in")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.key}"


class Vote(models.Model):
    """One ballot on an agenda item. ``ballot`` is the person (``r<id>``/``u<id>``) or,
    where the rule gives one vote per household, the household (``h<id>``): the unique
    pair makes a second ballot impossible, also under concurrent requests."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="votes"
    )
    ballot = models.CharField(_("ballot"), max_length=24)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voter"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    choice = models.CharField(_("vote"), max_length=8, choices=VoteChoice.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The clerk, for a show of hands counted at the meeting."),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["item", "ballot"], name="delib_one_ballot")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.ballot} {self.choice}"
