"""The satisfaction survey (群众安全感和满意度调查).

* ``Scale`` and its ``ScaleOption`` rows: the answers a question offers, each with a score
  (100 … 0; none for "cannot say", which counts in no figure) and whether it is positive.
* ``Questionnaire`` and its ``Question`` rows, each feeding one measure (safety or
  satisfaction). A standard questionnaire is seeded by a data migration.
* ``Wave``: one fielding of a questionnaire in a county or the city over a period, with its
  sample size per township (the strata) and its allocation.
* ``SampleMember``: a resident (or a hotline caller) drawn into a wave's sample: their
  township, phone (masked everywhere), state, attempts, operator and link token.
* ``Response`` (one per member at most) and its ``Answer`` rows.

Scope: a wave is seen by those whose region scope holds its region or lies inside it (a
county leader sees the city's wave, and only their county's figures); a sample member by
the operator it is assigned to, and by dispatchers, leaders and administrators whose scope
holds its township.
"""

from __future__ import annotations

import secrets
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import masking
from gongzhi.accounts.models import Role
from gongzhi.core.fields import DigestField, SealedCharField
from gongzhi.core.models import Reference, TimeStampedModel
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Grid, Region

from .choices import (
    COMPLETED,
    RETRIED,
    Allocation,
    Channel,
    Measure,
    MemberState,
    QuestionnaireKind,
    Source,
    WaveState,
)

# Roles that supervise a wave's fielding and read its members (masked) in their scope.
SUPERVISORS = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMINISTRATOR})


def _ancestors(path: str) -> list[str]:
    """ "/a/b/c/" → ["/a/", "/a/b/", "/a/b/c/"]."""
    codes = [c for c in path.strip("/").split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def _under(lookup: str, paths) -> Q:
    return reduce(or_, (Q(**{f"{lookup}__startswith": p}) for p in paths), Q(pk__in=[]))


def new_token() -> str:
    """A member's link token: 24 URL-safe characters (144 random bits)."""
    return secrets.token_urlsafe(18)


class Scale(Reference):
    class Meta(Reference.Meta):
        verbose_name = _("answer scale")
        verbose_name_plural = _("answer scales")


class ScaleOption(models.Model):
    scale = models.ForeignKey(
        Scale, verbose_name=_("scale"), on_delete=models.CASCADE, related_name="options"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    label = models.CharField(_("label"), max_length=40)
    score = models.PositiveSmallIntegerField(
        _("score"),
        null=True,
        blank=True,
        help_text=_("0 to 100. Empty for an answer such as 'cannot say' that counts in no figure."),
    )
    positive = models.BooleanField(
        _("positive"), default=False, help_text=_("Counts towards the share of positive answers.")
    )
    colour = models.CharField(_("colour"), max_length=9, default="#6b7280")

    class Meta:
        verbose_name = _("scale option")
        verbose_name_plural = _("scale options")
        ordering = ["scale", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="surveys_score_0_100"
            )
        ]

    def __str__(self) -> str:
        return self.label


class Questionnaire(Reference):
    kind = models.CharField(
        _("kind"), max_length=12, choices=QuestionnaireKind.choices, default=QuestionnaireKind.BOTH
    )
    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("Read out or shown before the questions.")
    )

    class Meta(Reference.Meta):
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    text = models.CharField(_("question"), max_length=200)
    scale = models.ForeignKey(
        Scale, verbose_name=_("scale"), on_delete=models.PROTECT, related_name="questions"
    )
    measure = models.CharField(_("measure"), max_length=12, choices=Measure.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "order", "id"]

    def __str__(self) -> str:
        return self.text


class WaveQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Waves in the user's region scope, and waves over a wider area that holds it."""
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if not scope.region_paths:
            return self.none()
        wider = {a for p in scope.region_paths for a in _ancestors(p)}
        return self.filter(_under("region__path", scope.region_paths) | Q(region__path__in=wider))


class Wave(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="waves",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("surveyed region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A city or a county: its townships are the strata."),
    )
    start = models.DateField(_("period start"))
    end = models.DateField(_("period end"))
    per_township = models.PositiveSmallIntegerField(
        _("sample size per township"),
        default=30,
        help_text=_(
            "Equal allocation: this many in each township. Proportional: this many on "
            "average, shared by population."
        ),
    )
    allocation = models.CharField(
        _("allocation"), max_length=12, choices=Allocation.choices, default=Allocation.EQUAL
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("calls per member at most"),
        default=3,
        help_text=_("A member who did not answer or refused is called again until this many."),
    )
    seed = models.PositiveIntegerField(_("random seed"), default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=WaveState.choices, default=WaveState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = WaveQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="surveys_wave_period"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SampleMemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The operator's own members; a supervisor's members in their scope."""
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        if scope.user_id is None:
            return self.none()
        condition = Q(operator_id=scope.user_id)
        if scope.roles & SUPERVISORS and scope.region_paths:
            condition |= _under("region_path", scope.region_paths)
        return self.filter(condition)

    def open(self):
        """Members still to be called: not completed, attempts left for the retried ones."""
        return self.exclude(state__in=COMPLETED).exclude(
            state__in=RETRIED, attempts__gte=models.F("wave__max_attempts")
        )


class SampleMember(TimeStampedModel):
    sensitive_fields = {"phone": masking.MOBILE}

    wave = models.ForeignKey(
        Wave, verbose_name=_("wave"), on_delete=models.CASCADE, related_name="members"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region_path = models.CharField(_("region path"), max_length=255, db_index=True)
    source = models.CharField(_("drawn from"), max_length=10, choices=Source.choices)
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone = SealedCharField(_("phone"), plain_max_length=20)
    phone_digest = DigestField(source="phone")
    state = models.CharField(
        _("state"), max_length=10, choices=MemberState.choices, default=MemberState.TO_CALL
    )
    attempts = models.PositiveSmallIntegerField(_("calls made"), default=0)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("last called at"), null=True, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_members",
    )
    token = models.CharField(_("link token"), max_length=32, unique=True, editable=False)

    objects = SampleMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("sample member")
        verbose_name_plural = _("sample members")
        ordering = ["wave", "region_path", "id"]
        indexes = [
            models.Index(fields=["operator", "state"], name="surveys_member_operator"),
            models.Index(fields=["wave", "state"], name="surveys_member_wave_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "phone_digest"], name="surveys_one_member_per_phone"
            )
        ]

    def __str__(self) -> str:
        return self.masked_phone

    def save(self, *args, **kwargs):
        if not self.token:
            self.token = new_token()
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return masking.mask_mobile(self.phone)

    @property
    def is_completed(self) -> bool:
        return self.state in COMPLETED

    @property
    def is_open(self) -> bool:
        if self.state in COMPLETED:
            return False
        return not (self.state in RETRIED and self.attempts >= self.wave.max_attempts)


class Response(TimeStampedModel):
    member = models.OneToOneField(
        SampleMember,
        verbose_name=_("sample member"),
        on_delete=models.CASCADE,
        related_name="response",
    )
    wave = models.ForeignKey(
        Wave, verbose_name=_("wave"), on_delete=models.CASCADE, related_name="responses"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.wave} #{self.member_id}"


class Answer(models.Model):
    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    option = models.ForeignKey(
        ScaleOption, verbose_name=_("answer"), on_delete=models.PROTECT, related_name="+"
    )
    # Copied from the option when answered, so that editing a scale later changes no result.
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    positive = models.BooleanField(_("positive"), default=False)
    measure = models.CharField(_("measure"), max_length=12, choices=Measure.choices)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "question__order"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="surveys_one_answer")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option_id}"
