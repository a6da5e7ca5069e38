"""Repairs (报事报修): estates (小区) and their property company, the company's service
promises as rows, each repair request (a case on the case engine, with the estate and the
household it came from) and the companies' monthly scores."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.taxonomy.models import TimeUnit

from ._base import InPlace, InPlaceQuerySet

__all__ = ["CompanyScore", "ComplaintCategory", "Estate", "RepairRequest", "ServicePromise"]


class Estate(InPlace, TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    company = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("property company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="estates",
        limit_choices_to={"kind": "property_company"},
    )
    buildings = models.ManyToManyField(
        "people.Building", verbose_name=_("buildings"), blank=True, related_name="estates"
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    objects = InPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("estate (小区)")
        verbose_name_plural = _("estates (小区)")
        ordering = ["region_path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="community_estate_name")
        ]

    def __str__(self) -> str:
        return self.name


class ServicePromise(TimeStampedModel):
    """How soon a company promises to respond to (sign for) and finish a repair of a
    category; the row without a category is its promise for every other repair."""

    company = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("property company"),
        on_delete=models.CASCADE,
        related_name="service_promises",
        limit_choices_to={"kind": "property_company"},
    )
    category = models.ForeignKey(
        "taxonomy.Category",
        verbose_name=_("repair category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    respond_value = models.PositiveIntegerField(_("time to respond"))
    respond_unit = models.CharField(
        _("unit"), max_length=10, choices=TimeUnit.choices, default=TimeUnit.MINUTES
    )
    repair_value = models.PositiveIntegerField(_("time to repair"))
    repair_unit = models.CharField(
        _("unit"), max_length=10, choices=TimeUnit.choices, default=TimeUnit.HOURS
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("service promise")
        verbose_name_plural = _("service promises")
        ordering = ["company", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "category"], name="community_promise_per_category"
            ),
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(category__isnull=True),
                name="community_promise_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}/{self.category_id or '*'}"


class ComplaintCategory(TimeStampedModel):
    """A case category that counts as a complaint about a property company when the case
    lies in one of its estates (物业投诉 in the ordinary case queue)."""

    category = models.OneToOneField(
        "taxonomy.Category",
        verbose_name=_("case category"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")

    def __str__(self) -> str:
        return str(self.category_id)


class RepairRequest(InPlace, TimeStampedModel):
    """The community's side of a repair case: which estate and household asked, and which
    company had it. The case itself (state, deadlines, timeline, rating) is the engine's."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="repair"
    )
    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.PROTECT, related_name="repairs"
    )
    company = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("property company"),
        null=True,
        on_delete=models.PROTECT,
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
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalated_at = models.DateTimeField(_("escalated to the community at"), null=True, blank=True)

    objects = InPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("repair request")
        verbose_name_plural = _("repair requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "created_at"], name="community_repair_co")]

    def __str__(self) -> str:
        return str(self.case_id)


class CompanyScore(TimeStampedModel):
    """A company's month: repairs, how many were answered and finished in time, the
    residents' rating, complaints about it, the score and its rank among the companies."""

    company = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("property company"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.DateField(_("month"))
    repairs = models.PositiveIntegerField(_("repairs"), default=0)
    responded_in_time = models.PositiveIntegerField(_("responded in time"), default=0)
    finished_in_time = models.PositiveIntegerField(_("finished in time"), default=0)
    rated = models.PositiveIntegerField(_("rated"), default=0)
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0)
    complaints = models.PositiveIntegerField(_("complaints"), default=0)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, default=0)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)

    class Meta:
        verbose_name = _("company score")
        verbose_name_plural = _("company scores")
        ordering = ["-month", "rank", "company"]
        constraints = [
            models.UniqueConstraint(fields=["company", "month"], name="community_score_month")
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.month:%Y-%m}"
