"""Notices (通知公告): a notice to regions, estates, care groups or households, published
at a time and expiring at another, delivered once to each household it reaches (inbox and
SMS), with the household's read receipt and, where it asks, its answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel

from ..choices import AnswerKind, NoticeState
from ._base import InPlace, InPlaceQuerySet

__all__ = ["Notice", "NoticeAttachment", "NoticeDelivery"]


class Notice(InPlace, TimeStampedModel):
    """``region`` is the sender's own area (who may see and manage the notice); the
    audience is the union of the regions, estates, care groups and households chosen."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=NoticeState.choices, default=NoticeState.DRAFT
    )
    regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("regions"), blank=True, related_name="+"
    )
    estates = models.ManyToManyField(
        "community.Estate", verbose_name=_("estates"), blank=True, related_name="notices"
    )
    groups = models.ManyToManyField(
        "people.CareGroup", verbose_name=_("care groups"), blank=True, related_name="+"
    )
    households = models.ManyToManyField(
        "people.Household", verbose_name=_("households"), blank=True, related_name="+"
    )
    publish_at = models.DateTimeField(_("publish at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    by_sms = models.BooleanField(_("also by SMS"), default=False)
    answer_kind = models.CharField(
        _("answer asked"), max_length=10, choices=AnswerKind.choices, default=AnswerKind.NONE
    )
    answer_choices = models.JSONField(_("choices"), default=list, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    households_count = models.PositiveIntegerField(_("households reached"), default=0)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    objects = InPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-publish_at", "-id"]
        indexes = [models.Index(fields=["state", "publish_at"], name="community_notice_due")]

    def __str__(self) -> str:
        return self.title


class NoticeAttachment(TimeStampedModel):
    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="community/notices/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)
    is_image = models.BooleanField(_("image"), default=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class NoticeDelivery(models.Model):
    """One household's copy of a notice: its receipt and answer (whoever of the household
    reads or answers first, for the household)."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="deliveries"
    )
    household = models.ForeignKey(
        "people.Household", verbose_name=_("household"), on_delete=models.CASCADE, related_name="+"
    )
    region_path = models.CharField(_("region path"), max_length=255)
    grid = models.ForeignKey(
        "regions.Grid",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivered_at = models.DateTimeField(_("delivered at"))
    by_sms = models.BooleanField(_("sent by SMS"), default=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answer = models.JSONField(_("answer"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notice", "household"], name="community_delivery_once")
        ]
        indexes = [
            models.Index(fields=["notice", "read_at"], name="community_delivery_read"),
            models.Index(fields=["household", "delivered_at"], name="community_delivery_hh"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.household_id}"
