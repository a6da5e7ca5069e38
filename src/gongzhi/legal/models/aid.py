"""Legal aid (法律援助): applications, their documents, progress and timeline, and the
reference rows an administrator edits (matter types of art. 31, exemption rules of arts. 32
and 42, the income standard of each county).

The applicant's name, ID number, phone and address are masked wherever shown and revealed
only through ``accounts.services.reveal`` (audited).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import masking
from gongzhi.core.fields import DigestField, SealedCharField
from gongzhi.core.models import Reference, TimeStampedModel
from gongzhi.core.scope import scope_for
from gongzhi.core.timeline import TimelineEvent
from gongzhi.regions.models import Region

from ..aid.choices import (
    AdvanceReview,
    DeadlineKind,
    DocumentKind,
    Hardship,
    ProgressKind,
    RuleTrigger,
    State,
    Termination,
)

__all__ = [
    "AidDocument",
    "AidMatterType",
    "AidNumberSequence",
    "AidProgress",
    "Application",
    "ApplicationEvent",
    "ExemptionRule",
    "IncomeStandard",
]


class AidMatterType(Reference):
    """A kind of matter legal aid covers (法律援助法 art. 31), as rows."""

    article = models.CharField(_("article"), max_length=20, blank=True, default="31")

    class Meta(Reference.Meta):
        verbose_name = _("legal-aid matter type")
        verbose_name_plural = _("legal-aid matter types")


class ExemptionRule(Reference):
    """A case where the applicant's means are not examined (art. 32) or are deemed proven
    (art. 42). It applies when every condition it names holds: all its flags ticked on the
    application, the matter one of its types, the applicant's age (from the ID number)
    within its range. A rule names at least one condition."""

    article = models.CharField(
        _("article"), max_length=2, choices=RuleTrigger.choices, default=RuleTrigger.ART32
    )
    flags = models.JSONField(
        _("flags ticked"), default=list, blank=True, help_text=_("All of these must be ticked.")
    )
    matter_types = models.ManyToManyField(
        AidMatterType,
        verbose_name=_("matter types"),
        blank=True,
        related_name="exemption_rules",
        help_text=_("The matter must be one of these (none: any matter)."),
    )
    min_age = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("up to age"), null=True, blank=True)
    reason = models.CharField(_("reason shown"), max_length=200)

    class Meta(Reference.Meta):
        verbose_name = _("exemption rule")
        verbose_name_plural = _("exemption rules")


class IncomeStandard(TimeStampedModel):
    """The county's economic-hardship standard: monthly income per household member."""

    region = models.OneToOneField(
        Region,
        verbose_name=_("county"),
        on_delete=models.CASCADE,
        related_name="aid_income_standard",
    )
    region_path = models.CharField(_("region path"), max_length=255, db_index=True, editable=False)
    yuan_per_person_month = models.DecimalField(
        _("yuan per person per month"), max_digits=10, decimal_places=2
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("income standard")
        verbose_name_plural = _("income standards")
        ordering = ["region_path"]

    def __str__(self) -> str:
        return f"{self.region} · {self.yuan_per_person_month}"

    def save(self, *args, **kwargs):
        self.region_path = self.region.path if self.region_id else ""
        super().save(*args, **kwargs)


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The applicant (and the staff who entered it) their own; the 法律援助中心's
        reviewers and director their county's; a lawyer those assigned to them; the
        司法局 the refused and objected ones of its county; administrators all."""
        if user is None or not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        from ..staff import aid_reviewer_paths, justice_bureau_paths

        condition = models.Q(applicant=user) | models.Q(entered_by=user) | models.Q(lawyer=user)
        for path in aid_reviewer_paths(scope):
            condition |= models.Q(region_path__startswith=path)
        bureau = justice_bureau_paths(scope)
        if bureau:
            places = models.Q(pk__in=[])
            for path in bureau:
                places |= models.Q(region_path__startswith=path)
            condition |= places & (
                models.Q(state__in=[State.REFUSED, State.OBJECTED])
                | models.Q(objected_at__isnull=False)
            )
        return self.filter(condition)

    def open(self):
        return self.exclude(state__in=[State.CLOSED, State.WITHDRAWN])


class Application(TimeStampedModel):
    sensitive_fields = {
        "name": masking.NAME,
        "id_number": masking.ID_NUMBER,
        "phone": masking.MOBILE,
        "address": masking.ADDRESS,
    }

    number = models.CharField(_("number"), max_length=16, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aid_applications",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entered_aid_applications",
    )
    service_point = models.ForeignKey(
        "legal.ServicePoint",
        verbose_name=_("service point"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aid_applications",
    )
    name = models.CharField(_("applicant's name"), max_length=100)
    id_number = SealedCharField(_("ID number"), plain_max_length=18)
    id_number_digest = DigestField(source="id_number")
    phone = SealedCharField(_("phone"), plain_max_length=20, blank=True)
    phone_digest = DigestField(source="phone")
    address = models.CharField(_("address"), max_length=200, blank=True)

    matter_type = models.ForeignKey(
        AidMatterType,
        verbose_name=_("matter type"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    summary = models.TextField(_("the matter"))
    opposing_party = models.CharField(_("opposing party"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("place"), on_delete=models.PROTECT, related_name="aid_applications"
    )
    region_path = models.CharField(_("region path"), max_length=255, db_index=True)
    matter_deadline = models.DateField(_("deadline the matter faces"), null=True, blank=True)
    matter_deadline_kind = models.CharField(
        _("kind of deadline"), max_length=12, choices=DeadlineKind.choices, blank=True
    )
    dispute = models.ForeignKey(
        "mediation.Dispute",
        verbose_name=_("follows the dispute"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aid_applications",
    )

    # Economic hardship: the statement, the pledge, what the check found.
    household_size = models.PositiveSmallIntegerField(_("household members"), default=1)
    monthly_income_per_head = models.DecimalField(
        _("monthly income per head (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    pledge = models.BooleanField(_("integrity pledge given"), default=False)
    flags = models.JSONField(_("circumstances ticked"), default=list, blank=True)
    exemptions = models.JSONField(_("exemption rules that apply"), default=list, blank=True)
    hardship = models.CharField(
        _("hardship check"), max_length=8, choices=Hardship.choices, default=Hardship.UNKNOWN
    )
    income_standard = models.DecimalField(
        _("county standard at the check"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    received_at = models.DateTimeField(_("received at"))

    # One request for all missing documents (the clock pauses while they are awaited).
    missing_items = models.JSONField(_("missing documents"), default=list, blank=True)
    documents_requested_at = models.DateTimeField(
        _("documents requested at"), null=True, blank=True
    )
    documents_supplied_at = models.DateTimeField(_("documents supplied at"), null=True, blank=True)
    supplement_due = models.DateTimeField(_("documents due"), null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(_("working days paused"), default=0)

    urgent = models.BooleanField(_("urgent"), default=False)
    urgent_reason = models.CharField(_("why urgent"), max_length=200, blank=True)
    advance = models.BooleanField(_("aid given first (art. 44)"), default=False)
    advance_review = models.CharField(
        _("review after aid given first"), max_length=10, choices=AdvanceReview.choices, blank=True
    )

    decision_due = models.DateTimeField(_("decision due"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    objection_window_ends = models.DateTimeField(
        _("objection possible until"), null=True, blank=True
    )
    objected_at = models.DateTimeField(_("objection lodged at"), null=True, blank=True)
    objection_reason = models.TextField(_("objection"), blank=True)
    objection_due = models.DateTimeField(_("objection decision due"), null=True, blank=True)
    objection_decided_at = models.DateTimeField(_("objection decided at"), null=True, blank=True)
    objection_decision = models.TextField(_("objection decision"), blank=True)

    assign_due = models.DateTimeField(_("lawyer to be assigned by"), null=True, blank=True)
    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lawyer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="aid_cases",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)

    termination = models.CharField(
        _("why aid ended"), max_length=20, choices=Termination.choices, blank=True
    )
    outcome = models.TextField(_("outcome"), blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    # Deadlines: the warnings sent and the deadlines passed (``deadline:iso date`` keys, so
    # that a deadline pushed later is warned again), and whether one is overdue now.
    warned = models.JSONField(_("warnings sent"), default=list, blank=True, editable=False)
    escalated = models.JSONField(
        _("overdue notices sent"), default=list, blank=True, editable=False
    )
    overdue = models.BooleanField(_("overdue"), default=False, db_index=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal-aid application")
        verbose_name_plural = _("legal-aid applications")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["state", "region_path"], name="legal_aid_state_place")]

    def __str__(self) -> str:
        return self.number


class AidDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A document is seen with its application."""
        return self.filter(application__in=Application.objects.visible_to(user).values("pk"))


class AidDocument(models.Model):
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=100, blank=True)
    file = models.FileField(_("file"), upload_to="legal/aid/%Y/%m/")
    thumbnail = models.FileField(_("thumbnail"), upload_to="legal/aid/%Y/%m/", blank=True)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    objects = AidDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal-aid document")
        verbose_name_plural = _("legal-aid documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.get_kind_display()}"


class AidProgress(models.Model):
    """One step of an aided case, recorded by the lawyer: a hearing, a document, the outcome."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="progress",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ProgressKind.choices)
    happened_on = models.DateField(_("date"))
    note = models.TextField(_("what happened"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        ordering = ["happened_on", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.happened_on}"


class ApplicationEvent(TimelineEvent):
    """One line of an application's timeline. Written by the workflow engine only."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aid_events",
    )
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices, blank=True)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(effects_pending=True), name="legal_aid_pending"
            )
        ]


class AidNumberSequence(models.Model):
    """The year's last application number (FY2026-000123), taken under the row's lock."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
