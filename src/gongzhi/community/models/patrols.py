"""QR patrols (二维码巡检): routes with checkpoints (each with a signed QR code), a patrol
walked along a route, and each checkpoint's scan with its time, position and flags."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel

from ..choices import PatrolState
from ._base import InPlace, InPlaceQuerySet

__all__ = ["Checkpoint", "Patrol", "Route", "Scan"]


class Route(InPlace, TimeStampedModel):
    team = models.ForeignKey(
        "community.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="routes",
    )
    name = models.CharField(_("name"), max_length=100)
    in_order = models.BooleanField(_("checkpoints in order"), default=True)
    radius_m = models.PositiveIntegerField(
        _("allowed distance (m)"),
        default=100,
        help_text=_("A scan farther than this from its checkpoint is kept but flagged."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    objects = InPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol route")
        verbose_name_plural = _("patrol routes")
        ordering = ["region_path", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Checkpoint(TimeStampedModel):
    route = models.ForeignKey(
        Route, verbose_name=_("route"), on_delete=models.CASCADE, related_name="checkpoints"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    # Raised when a sheet is reprinted: the old printed codes stop working.
    code_version = models.PositiveIntegerField(_("code version"), default=1)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["route", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["route", "order"], name="community_checkpoint_order")
        ]

    def __str__(self) -> str:
        return self.name


class Patrol(InPlace, TimeStampedModel):
    route = models.ForeignKey(
        Route, verbose_name=_("route"), on_delete=models.PROTECT, related_name="patrols"
    )
    walker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("walked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    shift = models.ForeignKey(
        "community.Shift",
        verbose_name=_("shift"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patrols",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=PatrolState.choices, default=PatrolState.WALKING
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    checkpoints = models.PositiveSmallIntegerField(_("checkpoints"), default=0)
    scanned = models.PositiveSmallIntegerField(_("scanned"), default=0)
    missed = models.PositiveSmallIntegerField(_("missed"), default=0)
    flagged = models.PositiveSmallIntegerField(_("flagged scans"), default=0)

    objects = InPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["route", "started_at"], name="community_patrol_day")]

    def __str__(self) -> str:
        return f"{self.route_id} {self.started_at:%Y-%m-%d %H:%M}"


class Scan(models.Model):
    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="scans"
    )
    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name=_("checkpoint"), on_delete=models.CASCADE, related_name="scans"
    )
    scanned_at = models.DateTimeField(_("scanned at"))
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    distance_m = models.FloatField(_("distance (m)"), null=True, blank=True)
    too_far = models.BooleanField(_("too far"), default=False)
    out_of_order = models.BooleanField(_("out of order"), default=False)
    no_position = models.BooleanField(_("no position"), default=False)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case reported"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["patrol", "scanned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["patrol", "checkpoint"], name="community_scan_once")
        ]

    def __str__(self) -> str:
        return f"{self.patrol_id}/{self.checkpoint_id}"
