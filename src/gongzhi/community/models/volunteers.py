"""Volunteers (群防群治): a registered volunteer (checked by their community), teams, shifts
and events with a number of places, sign-ups, attendance and the hours it gives."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import masking
from gongzhi.core.fields import DigestField, SealedCharField
from gongzhi.core.models import TimeStampedModel

from ..choices import CheckInMethod, ShiftKind, ShiftState, SignUpState, VolunteerState
from ._base import InPlace, InPlaceQuerySet

__all__ = ["Shift", "SignUp", "Team", "TeamMember", "Volunteer"]


class Volunteer(InPlace, TimeStampedModel):
    sensitive_fields = {"name": masking.NAME, "phone": masking.MOBILE}

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="volunteer",
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
    name = models.CharField(_("name"), max_length=50)
    phone = SealedCharField(_("phone"), plain_max_length=20, blank=True)
    phone_digest = DigestField(source="phone")
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=VolunteerState.choices, default=VolunteerState.PENDING
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    hours = models.DecimalField(_("service hours"), max_digits=8, decimal_places=1, default=0)

    objects = InPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["region_path", "name", "id"]
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="community_hours")]

    def __str__(self) -> str:
        return self.name


class Team(InPlace, TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    objects = InPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["region_path", "name", "id"]

    def __str__(self) -> str:
        return self.name


class TeamMember(TimeStampedModel):
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="teams"
    )

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], name="community_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.team_id}/{self.volunteer_id}"


class Shift(InPlace, TimeStampedModel):
    """A shift or an event volunteers sign up for (a patrol, 邻里节, 义诊)."""

    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shifts",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ShiftKind.choices)
    title = models.CharField(_("title"), max_length=120)
    place = models.CharField(_("place"), max_length=200, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("places"))
    taken = models.PositiveSmallIntegerField(_("places taken"), default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=ShiftState.choices, default=ShiftState.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift or event")
        verbose_name_plural = _("shifts and events")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="community_places"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="community_shift"),
        ]

    def __str__(self) -> str:
        return self.title


class SignUp(TimeStampedModel):
    shift = models.ForeignKey(
        Shift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="signups"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="signups"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=SignUpState.choices, default=SignUpState.SIGNED_UP
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    method = models.CharField(
        _("checked in by"), max_length=10, choices=CheckInMethod.choices, blank=True
    )
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["shift", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="community_signup_once")
        ]

    def __str__(self) -> str:
        return f"{self.shift_id}/{self.volunteer_id}"
