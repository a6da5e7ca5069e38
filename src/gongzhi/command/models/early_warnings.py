"""Early warnings (预警): a week in which a township's reports of a category rose well above
its own history (``command.early_warnings`` runs the test), and the nightly runs' claims.

A warning is seen by those who govern its township (the township, its county, the city's
command centre and government: ``Scope.territory_paths``), not by a department that merely
serves the place: a warning is about the place's affairs, not the department's business.
"""

from datetime import timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scope import ScopedQuerySet

__all__ = ["EarlyWarning", "EarlyWarningRun", "WarningState"]


class WarningState(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed")
    TASKED = "tasked", _("Turned into a supervised task")


class EarlyWarningQuerySet(ScopedQuerySet):
    def scope_q(self, scope) -> models.Q:
        if not scope.territory_paths:
            return models.Q(pk__in=[])
        return reduce(or_, (models.Q(township__path__startswith=p) for p in scope.territory_paths))


class EarlyWarning(models.Model):
    """One township's reports of one first-level category in the 7 days up to ``day``,
    against the same 7-day windows of the weeks before."""

    township = models.ForeignKey(
        "regions.Region",
        verbose_name=_("township"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        "taxonomy.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    day = models.DateField(_("last day of the week"))
    count = models.PositiveIntegerField(_("reports in the week"))
    expected = models.FloatField(_("usual weekly mean"))
    expected_low = models.PositiveIntegerField(_("usually at least"))
    expected_high = models.PositiveIntegerField(_("usually at most"))
    threshold = models.PositiveIntegerField(_("highest count still usual"))
    p_value = models.FloatField(_("p-value"))
    dispersion = models.FloatField(_("over-dispersion"))
    history = models.PositiveSmallIntegerField(_("weeks of history used"))
    # The weekly totals the chart draws, oldest first, this week last; null for a week
    # before the records begin; "flagged" marks weeks left out of the baseline.
    series = models.JSONField(_("weekly series"), default=dict, blank=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=WarningState.choices,
        default=WarningState.OPEN,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason for dismissing"), max_length=300, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("task case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = EarlyWarningQuerySet.as_manager()

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        ordering = ["-day", "p_value", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "category", "day"], name="command_one_warning_a_day"
            )
        ]
        indexes = [models.Index(fields=["state", "-day"], name="command_warning_state_day")]

    def __str__(self) -> str:
        return f"{self.township} {self.category} {self.day}: {self.count}"

    @property
    def start(self):
        return self.day - timedelta(days=6)


class EarlyWarningRun(models.Model):
    """The nightly run's claim: one row a day, inserted before the run, so that however many
    watchers tick only one of them runs the test."""

    day = models.DateField(_("day tested"), unique=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        verbose_name = _("early-warning run")
        verbose_name_plural = _("early-warning runs")
        ordering = ["-day"]

    def __str__(self) -> str:
        return str(self.day)
