"""The police's monthly public-safety figures per township (公安机关月度治安数据), imported
from their workbook (``command.safety``) and shown beside the platform's own figures.

One row a township and month: reimporting a month replaces its figures. The two counts
every police sheet carries are required (刑事案件 criminal cases filed, 治安案件 public-order
cases accepted); two breakdowns many sheets also carry (电信网络诈骗 telecom fraud, 盗窃
theft, both counted within the criminal cases) are optional: empty when the sheet has none.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scope import ScopedQuerySet

__all__ = ["PublicSafetyFigure"]


class PublicSafetyFigure(models.Model):
    month = models.DateField(_("month"), help_text=_("The month's first day."))
    township = models.ForeignKey(
        "regions.Region",
        verbose_name=_("township"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "township"},
    )
    # The township's path, copied so that scoping needs no join.
    region_path = models.CharField(_("region path"), max_length=255, db_index=True, editable=False)
    criminal = models.PositiveIntegerField(_("criminal cases"))
    public_order = models.PositiveIntegerField(_("public-order cases"))
    fraud = models.PositiveIntegerField(_("telecom fraud cases"), null=True, blank=True)
    theft = models.PositiveIntegerField(_("theft cases"), null=True, blank=True)
    source_name = models.CharField(_("source file"), max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"))

    scope_region_path = "region_path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("public-safety figure")
        verbose_name_plural = _("public-safety figures")
        ordering = ["month", "region_path"]
        constraints = [
            models.UniqueConstraint(fields=["month", "township"], name="command_safety_month_town")
        ]

    def __str__(self) -> str:
        return f"{self.township_id} {self.month:%Y-%m}"
