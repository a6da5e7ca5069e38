"""The monthly report (月报) of a city or a county: the PDF and the workbook made from one
set of figures, kept with those figures so a file can always be checked against them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scope import ScopedQuerySet

__all__ = ["MonthlyReport"]


class MonthlyReport(models.Model):
    month = models.DateField(_("month"), help_text=_("The first day of the month reported."))
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="monthly_reports",
    )
    pdf = models.FileField(_("PDF file"), upload_to="command/reports/%Y/", blank=True)
    xlsx = models.FileField(_("Excel workbook"), upload_to="command/reports/%Y/", blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    created_at = models.DateTimeField(_("made at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    # Seen by whoever's scope holds the report's whole region (a county leader: their
    # county's, not the city's).
    scope_region_path = "region__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["month", "region"], name="command_report_month_region")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region_id}"
