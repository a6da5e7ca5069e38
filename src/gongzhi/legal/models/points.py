"""Service points (公共法律服务实体平台): the county's centre, the townships' stations and the
villages' rooms, each with its hours, contacts, services and, for a village, its legal
adviser (一村(社区)一法律顾问), who answers the village's questions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation
from gongzhi.core.models import Reference, TimeStampedModel
from gongzhi.regions.models import Region, path_prefixes

from ..choices import PointLevel, Service

__all__ = ["AudienceGroup", "ResidentProfile", "ServicePoint"]


class ServicePointQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(enabled=True)

    def serving(self, region_path: str):
        """The points whose area holds the place (its village's room, its township's station,
        its county's centre): those whose region's path begins the place's path."""
        if not region_path:
            return self.none()
        return self.filter(region_path__in=path_prefixes(region_path))

    def visible_to(self, user):
        """Public information: everyone sees the enabled points."""
        return self.enabled()


class ServicePoint(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=PointLevel.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("area served"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = models.CharField(_("region path"), max_length=255, db_index=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="legal_points",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    hours = models.CharField(
        _("opening hours"), max_length=120, blank=True, help_text=_("e.g. 周一至周五 9:00–17:00")
    )
    services = models.JSONField(
        _("services"), default=list, blank=True, help_text=_("Codes from the service list.")
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("legal adviser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="advised_points",
        help_text=_("The lawyer or legal worker who advises this village or community."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    objects = ServicePointQuerySet.as_manager()

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.region_path = self.region.path if self.region_id else ""
        super().save(*args, **kwargs)

    def service_labels(self) -> list[str]:
        return [str(Service(c).label) for c in self.services if c in Service.values]


class AudienceGroup(Reference):
    """A group of residents 普法 is written for (牧民, 农民工, 老年人, …): rows an
    administrator edits."""

    class Meta(Reference.Meta):
        verbose_name = _("audience group")
        verbose_name_plural = _("audience groups")


class ResidentProfile(TimeStampedModel):
    """Where a resident lives and the groups they belong to, as they said it: the village
    their questions go to, the service points shown first, the 普法 they are sent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="legal_profile",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("village or community"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region_path = models.CharField(
        _("region path"), max_length=255, blank=True, db_index=True, editable=False
    )
    groups = models.ManyToManyField(
        AudienceGroup, verbose_name=_("groups"), blank=True, related_name="residents"
    )

    class Meta:
        verbose_name = _("resident profile")
        verbose_name_plural = _("resident profiles")

    def __str__(self) -> str:
        return str(self.user)

    def save(self, *args, **kwargs):
        self.region_path = self.region.path if self.region_id else ""
        super().save(*args, **kwargs)
