"""考核: how units are scored, as rows an administrator edits (``command.assessment`` holds
the formula): a weight per rate (响应率 30%, 解决率 40%, 满意率 30%) and minus points per
overdue or returned case, up to a cap."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Reference

__all__ = ["AssessmentPenalty", "AssessmentWeight", "PenaltyMeasure", "RateMeasure"]


class RateMeasure(models.TextChoices):
    # The codes are the figures' rate keys (command.figures), so a row reads its rate directly.
    RESPONSE_RATE = "response_rate", _("Response rate")
    RESOLUTION_RATE = "resolution_rate", _("Resolution rate")
    SATISFACTION_RATE = "satisfaction_rate", _("Satisfaction rate")


class PenaltyMeasure(models.TextChoices):
    OVERDUE = "overdue", _("Overdue cases")
    RETURNED = "returned", _("Returned cases")


class AssessmentWeight(Reference):
    """One rate's share of a unit's score, in per cent; the enabled ones add up to 100."""

    code = models.SlugField(_("rate"), max_length=40, unique=True, choices=RateMeasure.choices)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    class Meta(Reference.Meta):
        verbose_name = _("assessment weight")
        verbose_name_plural = _("assessment weights")


class AssessmentPenalty(Reference):
    """Points taken off a unit's score for each of its overdue (or returned) cases, at most
    ``cap`` points for this kind of case."""

    code = models.SlugField(
        _("counted cases"), max_length=40, unique=True, choices=PenaltyMeasure.choices
    )
    points = models.DecimalField(
        _("points per case"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    cap = models.DecimalField(
        _("at most (points)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    class Meta(Reference.Meta):
        verbose_name = _("assessment penalty")
        verbose_name_plural = _("assessment penalties")
