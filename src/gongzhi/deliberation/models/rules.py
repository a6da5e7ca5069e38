"""Reference rows an administrator edits: when a topic must be answered (support
thresholds) and how each kind of meeting reaches its quorum and decides (村民委员会组织法
arts. 21–26, 城市居民委员会组织法 art. 10)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Reference
from gongzhi.regions.models import Region

from ..choices import MeetingKind, QuorumBasis, VotePer

__all__ = ["MeetingRule", "NumberSequence", "TopicRule"]


class TopicRule(Reference):
    """A village's (or, without a region, every village's) support threshold: a topic
    supported by ``households`` households, or by ``percent`` of the village's households,
    whichever comes first, must be put on an agenda or answered with a reason within
    ``answer_days`` working days. The most specific enabled row wins (village, then
    township, county …, then the default without a region)."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: the default for every village and community."),
    )
    households = models.PositiveSmallIntegerField(_("households supporting"), default=10)
    percent = models.DecimalField(
        _("or share of the households (%)"), max_digits=5, decimal_places=2, default=Decimal("5")
    )
    answer_days = models.PositiveSmallIntegerField(_("working days to answer"), default=10)
    one_per_household = models.BooleanField(
        _("one support per household"),
        default=False,
        help_text=_("Ticked: a second member of a household who supports is refused."),
    )

    class Meta(Reference.Meta):
        verbose_name = _("topic threshold")
        verbose_name_plural = _("topic thresholds")


class MeetingRule(Reference):
    """How a kind of meeting is quorate and decides: a quorum of more than (or at least)
    ``quorum_num``/``quorum_den`` of its basis, or of ``alt_basis`` (a 村民会议: more than
    half of the adults, or the representatives of two thirds of the households); a decision
    by more than (or at least) ``decision_num``/``decision_den`` of those present; notice
    ``notice_days`` days before; one vote per person or per household."""

    kind = models.CharField(_("meeting kind"), max_length=20, choices=MeetingKind.choices)
    urban = models.BooleanField(_("urban community"), default=False)
    basis = models.CharField(
        _("quorum counts"), max_length=20, choices=QuorumBasis.choices, default=QuorumBasis.ADULTS
    )
    quorum_num = models.PositiveSmallIntegerField(_("quorum numerator"), default=1)
    quorum_den = models.PositiveSmallIntegerField(_("quorum denominator"), default=2)
    quorum_strict = models.BooleanField(
        _("more than (not at least)"), default=True, help_text=_("过半数: more than half.")
    )
    alt_basis = models.CharField(
        _("or quorum counts"), max_length=20, choices=QuorumBasis.choices, blank=True
    )
    alt_num = models.PositiveSmallIntegerField(_("alternative numerator"), null=True, blank=True)
    alt_den = models.PositiveSmallIntegerField(_("alternative denominator"), null=True, blank=True)
    alt_strict = models.BooleanField(_("alternative: more than"), default=False)
    decision_num = models.PositiveSmallIntegerField(_("decision numerator"), default=1)
    decision_den = models.PositiveSmallIntegerField(_("decision denominator"), default=2)
    decision_strict = models.BooleanField(_("decision: more than"), default=True)
    vote_per = models.CharField(
        _("votes"), max_length=10, choices=VotePer.choices, default=VotePer.PERSON
    )
    notice_days = models.PositiveSmallIntegerField(_("notice (days before)"), default=7)
    law = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta(Reference.Meta):
        verbose_name = _("meeting rule")
        verbose_name_plural = _("meeting rules")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "urban"],
                condition=models.Q(enabled=True),
                name="deliberation_one_rule_per_kind",
            )
        ]


class NumberSequence(models.Model):
    """The year's last number of a kind of record (YT-2026-00012 for a topic), taken under
    the row's lock so that concurrent writers never share one."""

    kind = models.CharField(_("kind"), max_length=10)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="deliberation_sequence_year")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"
