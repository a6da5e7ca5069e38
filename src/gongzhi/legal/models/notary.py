"""Notary guidance (公证指引) and booking: the matters an administrator edits, each with its
questionnaire, document rules and fee rules kept as data (``legal.notary.guide`` reads and
validates them); the notary offices, their time slots with a capacity, and the residents'
bookings of a place in a slot."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import masking
from gongzhi.accounts.models import Organisation, OrganisationKind
from gongzhi.core.fields import DigestField, SealedCharField
from gongzhi.core.models import Reference, TimeStampedModel
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import path_prefixes

__all__ = ["BookingStatus", "NotaryBooking", "NotaryMatter", "NotaryOffice", "NotarySlot"]


class NotaryMatter(Reference):
    """A kind of notarisation (继承, 委托, 学历, …): its short questionnaire, the documents
    the answers call for and the fee they come to, all as JSON rows (see
    ``legal.notary.guide`` for the shape)."""

    summary = models.CharField(_("summary"), max_length=200, blank=True)
    questions = models.JSONField(
        _("questions"),
        default=list,
        blank=True,
        help_text=_(
            'A list of {"key", "text", "choices": [{"value", "label"}]} or {"key", "text", '
            '"type": "amount", "min", "max"}; "when": {"key": ["value", ...]} asks it only then.'
        ),
    )
    documents = models.JSONField(
        _("documents"),
        default=list,
        blank=True,
        help_text=_('A list of {"text", "when": {"key": ["value", ...]}}; no "when": always.'),
    )
    fee = models.JSONField(
        _("fee"),
        default=dict,
        blank=True,
        help_text=_(
            '{"fixed": yuan, "add": [{"when", "amount", "label"}], "per": {"on", "amount", '
            '"beyond"}, "bands": {"on", "minimum", "rates": [[up to, rate], ...]}, "note"}'
        ),
    )

    class Meta(Reference.Meta):
        verbose_name = _("notary matter")
        verbose_name_plural = _("notary matters")

    def clean(self):
        from gongzhi.legal.notary import guide

        errors = guide.definition_errors(self.questions, self.documents, self.fee)
        if errors:
            raise ValidationError(errors)


class NotaryOfficeQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(enabled=True, organisation__is_active=True)

    def serving(self, region_path: str):
        """The offices whose organisation serves the place (a region of theirs holds it)."""
        if not region_path:
            return self.none()
        ids = Organisation.regions.through.objects.filter(
            region__path__in=path_prefixes(region_path)
        ).values("organisation_id")
        return self.filter(organisation_id__in=ids)

    def visible_to(self, user):
        """Public information: everyone sees the enabled offices."""
        return self.enabled()


class NotaryOffice(TimeStampedModel):
    """A 公证处 as residents find it: the organisation (of kind ``notary_office``) whose
    regions are the counties it serves, with its address, phone, hours and map position."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="notary_office",
        limit_choices_to={"kind": OrganisationKind.NOTARY_OFFICE},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    hours = models.CharField(_("opening hours"), max_length=120, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    objects = NotaryOfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notary office")
        verbose_name_plural = _("notary offices")
        ordering = ["organisation__path"]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def code(self) -> str:
        return self.organisation.code

    def clean(self):
        if self.organisation_id and self.organisation.kind != OrganisationKind.NOTARY_OFFICE:
            raise ValidationError(
                {"organisation": _("Choose an organisation of kind notary office.")}
            )


def _office_q(user, lookup: str) -> Q | None:
    """None: everything; else the condition on the office's organisation path."""
    from gongzhi.legal import staff

    scope = scope_for(user)
    if scope.everything:
        return None
    paths = staff.notary_office_paths(scope)
    return Q(**{f"{lookup}__in": paths}) if paths else Q(pk__in=[])


class NotarySlotQuerySet(models.QuerySet):
    def free(self, now):
        return self.filter(starts_at__gt=now, booked__lt=F("capacity"))

    def visible_to(self, user):
        """Office staff see their office's slots; administrators all; residents the free ones
        through the guide (public), so this is the staff's door."""
        q = _office_q(user, "office__organisation__path")
        return self if q is None else self.filter(q)


class NotarySlot(models.Model):
    office = models.ForeignKey(
        NotaryOffice,
        verbose_name=_("notary office"),
        on_delete=models.CASCADE,
        related_name="slots",
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=1)
    booked = models.PositiveSmallIntegerField(_("booked"), default=0, editable=False)

    objects = NotarySlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("notary time slot")
        verbose_name_plural = _("notary time slots")
        ordering = ["starts_at", "office_id"]
        constraints = [
            models.UniqueConstraint(fields=["office", "starts_at"], name="notary_slot_once"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="notary_slot_not_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="notary_slot_ends"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def left(self) -> int:
        return max(self.capacity - self.booked, 0)


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")


class NotaryBookingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A resident sees their own bookings; an office's staff their office's;
        administrators all."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        q = _office_q(user, "office__organisation__path")
        if q is None:
            return self
        return self.filter(q | Q(resident=user))

    def active(self):
        return self.filter(status=BookingStatus.BOOKED)


class NotaryBooking(TimeStampedModel):
    """One resident's place in a slot, with the matter, their answers, and the documents
    and fee the guide gave them (kept as they were told). The applicant's name and phone
    are kept for the office, masked wherever shown; the office reveals them (audited)."""

    sensitive_fields = {"applicant_name": masking.NAME, "phone": masking.MOBILE}

    number = models.CharField(_("booking number"), max_length=24, unique=True, blank=True)
    slot = models.ForeignKey(
        NotarySlot, verbose_name=_("time slot"), on_delete=models.PROTECT, related_name="bookings"
    )
    office = models.ForeignKey(
        NotaryOffice,
        verbose_name=_("notary office"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="notary_bookings",
    )
    matter = models.ForeignKey(
        NotaryMatter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="bookings"
    )
    applicant_name = models.CharField(_("applicant's name"), max_length=60, blank=True)
    phone = SealedCharField(_("contact phone"), plain_max_length=20, blank=True)
    phone_digest = DigestField(source="phone")
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    documents = models.JSONField(_("documents to bring"), default=list, blank=True)
    fee = models.DecimalField(_("fee (yuan)"), max_digits=12, decimal_places=2, default=0)
    fee_lines = models.JSONField(_("fee lines"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = NotaryBookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("notary booking")
        verbose_name_plural = _("notary bookings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "resident"],
                condition=Q(status="booked"),
                name="notary_booking_once_per_slot",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def masked_applicant(self) -> str:
        return masking.masked_value(self, "applicant_name")

    @property
    def masked_phone(self) -> str:
        return masking.masked_value(self, "phone")
