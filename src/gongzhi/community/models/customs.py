"""移风易俗: a village's rules for weddings and funerals (caps on tables, guests and cash
gifts, as rows), and each household's registration with its 红白理事会, checked against the
rules with warnings (never a block)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.core.timeline import TimelineEvent

from ..choices import CeremonyKind, CeremonyState
from ._base import InPlace, InPlaceQuerySet

__all__ = ["Ceremony", "CeremonyEvent", "CustomRule"]


class CustomRule(TimeStampedModel):
    """The caps of a region (a village, or a township/county for all its villages); the
    most specific enabled row for the ceremony's kind applies. Empty: no cap."""

    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    region_path = models.CharField(_("region path"), max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=CeremonyKind.choices)
    max_tables = models.PositiveSmallIntegerField(_("at most tables"), null=True, blank=True)
    max_guests = models.PositiveIntegerField(_("at most guests"), null=True, blank=True)
    max_gift = models.PositiveIntegerField(_("at most cash gift (yuan)"), null=True, blank=True)
    max_days = models.PositiveSmallIntegerField(_("at most days"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("移风易俗 rule")
        verbose_name_plural = _("移风易俗 rules")
        ordering = ["region_path", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], name="community_custom_rule")
        ]

    def save(self, *args, **kwargs):
        if self.region_id and not self.region_path:
            from gongzhi.regions.models import Region

            self.region_path = Region.objects.values_list("path", flat=True).get(pk=self.region_id)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.region_id} {self.kind}"


class Ceremony(InPlace, TimeStampedModel):
    household = models.ForeignKey(
        "people.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CeremonyKind.choices)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=CeremonyState.choices,
        default=CeremonyState.REGISTERED,
    )
    date = models.DateField(_("date"))
    days = models.PositiveSmallIntegerField(_("days"), default=1)
    place = models.CharField(_("place"), max_length=200, blank=True)
    guests = models.PositiveIntegerField(_("guests"))
    tables = models.PositiveSmallIntegerField(_("tables"))
    gift = models.PositiveIntegerField(_("largest cash gift (yuan)"), default=0)
    note = models.TextField(_("note"), blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    council_note = models.TextField(_("council's note"), blank=True)

    objects = InPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("wedding or funeral")
        verbose_name_plural = _("weddings and funerals")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"


class CeremonyEvent(TimelineEvent):
    """One step of a registration on the council's table (``customs.workflow``)."""

    ceremony = models.ForeignKey(
        Ceremony,
        verbose_name=_("wedding or funeral"),
        on_delete=models.CASCADE,
        related_name="events",
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
        _("from"), max_length=12, choices=CeremonyState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=12, choices=CeremonyState.choices, blank=True)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("ceremony timeline entry")
        verbose_name_plural = _("ceremony timeline")
        indexes = [
            models.Index(
                fields=["id"], condition=Q(effects_pending=True), name="community_ceremony_pending"
            )
        ]
