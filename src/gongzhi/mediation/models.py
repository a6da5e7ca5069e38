"""Disputes (矛盾纠纷) and their mediation: parties, sessions, agreements, screening rounds.

Reference data are rows an administrator edits: dispute types, risk rules and the time a
dispute may stay at each level. A party's name, ID number, phone and address are masked
wherever shown and revealed only through ``accounts.services.reveal``, audited.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import masking
from gongzhi.accounts.models import Organisation, Role
from gongzhi.core.fields import DigestField, SealedCharField
from gongzhi.core.models import Reference, TimeStampedModel
from gongzhi.core.scope import scope_for
from gongzhi.core.timeline import TimelineEvent
from gongzhi.regions.models import Grid, Region

from .choices import (
    AgreementForm,
    Confirmation,
    Level,
    PartyKind,
    Risk,
    RiskCondition,
    Side,
    Source,
    State,
)

# Who works on disputes in the places they serve; other staff see only what their unit holds.
MEDIATION_ROLES = frozenset({Role.MEDIATOR, Role.GRID_WORKER, Role.DISPATCHER, Role.LEADER})


class DisputeType(Reference):
    class Meta(Reference.Meta):
        verbose_name = _("dispute type")
        verbose_name_plural = _("dispute types")


class RiskRule(Reference):
    """One reason a dispute is risky, and the risk it gives (the highest rule wins)."""

    condition = models.CharField(_("condition"), max_length=12, choices=RiskCondition.choices)
    words = models.TextField(
        _("words"), blank=True, help_text=_("For a rule on words: one word or phrase per line.")
    )
    threshold = models.PositiveIntegerField(
        _("threshold"),
        null=True,
        blank=True,
        help_text=_("People on one side, petitions, or yuan at stake, by the condition."),
    )
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices)
    reason = models.CharField(_("reason shown"), max_length=100)

    class Meta(Reference.Meta):
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")

    def word_list(self) -> list[str]:
        return [w.strip() for w in self.words.splitlines() if w.strip()]


class LevelPolicy(TimeStampedModel):
    """How long a dispute may stay at a level before it moves up, and the highest risk the
    level may hold (《人民调解工作若干规定》 art. 36: a month by default)."""

    level = models.CharField(_("level"), max_length=10, choices=Level.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("days at this level"), default=30)
    max_risk = models.CharField(
        _("highest risk held"), max_length=10, choices=Risk.choices, default=Risk.MAJOR
    )

    class Meta:
        verbose_name = _("level policy")
        verbose_name_plural = _("level policies")
        ordering = ["level"]

    def __str__(self) -> str:
        return str(Level.label_of(self.level))


class DisputeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Mediators, grid workers, dispatchers and leaders see the disputes of the places
        they serve (a township its villages, a county its townships: below, never sideways);
        anyone sees what their unit holds and what they registered. A plain filter on the
        disputes' own columns (no join that could repeat a row), to count, group and order
        freely."""
        if user is None or not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        condition = models.Q(registered_by=user)
        if scope.roles & MEDIATION_ROLES:
            for path in scope.region_paths:
                condition |= models.Q(region_path__startswith=path)
        # The units held by the user's own (a subquery on the small organisations table): no
        # join on disputes, so the rule filters rows directly and counts stay correct.
        units = models.Q(pk__in=[])
        for path in scope.organisation_paths:
            units |= models.Q(path__startswith=path)
        condition |= models.Q(holder__in=Organisation.objects.filter(units).values("pk"))
        return self.filter(condition)

    def open(self):
        return self.exclude(state=State.CLOSED)


class Dispute(TimeStampedModel):
    number = models.CharField(_("number"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=120)
    type = models.ForeignKey(
        DisputeType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="disputes"
    )
    facts = models.TextField(_("facts"))
    amount = models.DecimalField(
        _("amount at stake (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_ref = models.CharField(
        _("source reference"), max_length=60, blank=True, help_text=_("A case or court number.")
    )

    # Where it arose: the grid (when known), its community or township, and the path.
    region = models.ForeignKey(
        Region, verbose_name=_("place"), on_delete=models.PROTECT, related_name="disputes"
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disputes",
    )
    region_path = models.CharField(_("region path"), max_length=255, db_index=True)

    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.REGISTERED, db_index=True
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    holder = models.ForeignKey(
        Organisation,
        verbose_name=_("held by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_disputes",
    )
    level_since = models.DateTimeField(_("at this level since"))
    level_due = models.DateTimeField(_("moves up at"), null=True, blank=True, db_index=True)

    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices, default=Risk.GENERAL)
    risk_reasons = models.JSONField(_("risk reasons"), default=list, blank=True)
    # The mediator's judgement, which may raise (never lower) what the rules find.
    judged_risk = models.CharField(_("mediator's judgement"), max_length=10, blank=True)

    lead_mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead mediator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_disputes",
    )
    helpers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("helping mediators"),
        blank=True,
        related_name="helped_disputes",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registered_disputes",
    )
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
    )
    campaign = models.ForeignKey(
        "Campaign",
        verbose_name=_("screening round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disputes",
    )

    decline_reason = models.TextField(_("why declined, and where to go"), blank=True)
    outcome_note = models.TextField(_("outcome"), blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # A court or another system that referred it (its key) reads its outcome by its own
    # reference: one dispute per key and reference (the constraint below).
    referral = models.ForeignKey(
        "ReferralToken",
        verbose_name=_("referred with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    external_ref = models.CharField(_("referrer's reference"), max_length=60, blank=True)
    # A retried registration (the API's Idempotency-Key, bound to who sent it) finds the
    # first dispute; the digest of what was asked tells a retry from a reused key.
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=80, null=True, blank=True, unique=True, editable=False
    )
    request_digest = models.CharField(max_length=64, blank=True, editable=False)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "level_due"], name="mediation_due"),
            # The boards' question at any size: the open disputes of a place, by risk and age.
            models.Index(
                fields=[
                    "region_path",
                    "holder",
                    "registered_by",
                    "risk",
                    "level",
                    "type",
                    "created_at",
                    # SQLite re-checks a bound ``state`` on each row unless the index holds
                    # it; PostgreSQL reads a page's ids from the index alone with ``id``.
                    "state",
                    "id",
                ],
                condition=~models.Q(state="closed"),
                name="mediation_open_board",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "external_ref"],
                condition=models.Q(referral__isnull=False),
                name="one_dispute_per_referral",
            )
        ]

    def __str__(self) -> str:
        # The number only: a title usually names the parties, and admin titles print this.
        return self.number


class PartyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A party is seen with its dispute."""
        return self.filter(dispute__in=Dispute.objects.visible_to(user).values("pk"))


class Party(models.Model):
    sensitive_fields = {
        "name": masking.NAME,
        "id_number": masking.ID_NUMBER,
        "phone": masking.MOBILE,
        "address": masking.ADDRESS,
    }

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="parties"
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=PartyKind.choices)
    name = models.CharField(_("name"), max_length=100)
    id_number = SealedCharField(_("ID or credit code"), plain_max_length=18, blank=True)
    id_number_digest = DigestField(source="id_number", db_index=True)
    phone = SealedCharField(_("phone"), plain_max_length=20, blank=True)
    phone_digest = DigestField(source="phone")
    address = models.CharField(_("address"), max_length=200, blank=True)
    claims = models.TextField(_("what they ask"), blank=True)
    people = models.PositiveIntegerField(_("people on this side"), default=1)
    is_vulnerable = models.BooleanField(
        _("vulnerable"), default=False, help_text=_("Elderly, a minor, disabled, in hardship.")
    )
    petitions = models.PositiveSmallIntegerField(_("petitions to higher levels"), default=0)

    objects = PartyQuerySet.as_manager()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["side", "id"]
        # Sealed values are found by their digests (core.fields).
        indexes = [models.Index(fields=["name", "phone_digest"], name="mediation_party_name_phone")]

    def __str__(self) -> str:
        return masking.masked_value(self, "name")


class Session(models.Model):
    """One mediation session: when, where, who attended, what was said, what comes next."""

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="sessions"
    )
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=100)
    attendees = models.TextField(_("who attended"))
    summary = models.TextField(_("what was said"))
    next_step = models.TextField(_("next step"), blank=True)
    next_at = models.DateTimeField(_("next session"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"{self.dispute_id} @ {self.held_at:%Y-%m-%d %H:%M}"


class Agreement(TimeStampedModel):
    """人民调解协议书 (人民调解法 art. 29) or an oral agreement recorded as such (art. 28)."""

    dispute = models.OneToOneField(
        Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="agreement"
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    form = models.CharField(_("form"), max_length=8, choices=AgreementForm.choices)
    disputed_matters = models.TextField(_("main facts and disputed matters"))
    signed_copy = models.FileField(
        _("signed copy"), upload_to="mediation/agreements/%Y/", blank=True
    )
    signed_uploaded_at = models.DateTimeField(_("signed copy uploaded"), null=True, blank=True)
    confirmation = models.CharField(
        _("judicial confirmation"),
        max_length=10,
        choices=Confirmation.choices,
        blank=True,
        default="",
    )
    confirmation_court = models.CharField(_("court"), max_length=100, blank=True)
    confirmation_applied_on = models.DateField(_("applied on"), null=True, blank=True)
    confirmation_decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.number


class Obligation(models.Model):
    """What one party agreed to do, how and by when; checked when the date passes."""

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        PERFORMED = "performed", _("Performed")
        NOT_PERFORMED = "not_performed", _("Not performed")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="obligations"
    )
    party = models.CharField(_("who"), max_length=100)
    what = models.TextField(_("obligation"))
    how = models.CharField(_("how"), max_length=200, blank=True)
    due_on = models.DateField(_("due by"))
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default="due")
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    check_note = models.TextField(_("what the check found"), blank=True)
    reminded_at = models.DateTimeField(_("mediator asked to check"), null=True, blank=True)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.agreement.number} · {self.due_on}"


class DisputeEvent(TimelineEvent):
    """One line of a dispute's timeline. Written by the workflow engine only."""

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dispute_events",
    )
    actor_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_state = models.CharField(_("from"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=State.choices, blank=True)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(effects_pending=True),
                name="mediation_event_pending",
            )
        ]


class Campaign(TimeStampedModel):
    """A screening round (排查) a township or county sets over its grids: each grid's worker
    files the disputes found, or a zero report (零报告), by the deadline."""

    title = models.CharField(_("title"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("area"), on_delete=models.PROTECT, related_name="campaigns"
    )
    organiser = models.ForeignKey(
        Organisation, verbose_name=_("organised by"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("starts on"))
    due_at = models.DateTimeField(_("reports due"))
    reminded_at = models.DateTimeField(_("late grids reminded"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("screening round")
        verbose_name_plural = _("screening rounds")
        ordering = ["-due_at", "-id"]

    def __str__(self) -> str:
        return self.title


class GridReport(models.Model):
    """A grid's answer to a screening round: disputes found, or none (零报告)."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("screening round"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    grid = models.ForeignKey(Grid, verbose_name=_("grid"), on_delete=models.CASCADE)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    found = models.PositiveIntegerField(_("disputes found"), default=0)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("grid report")
        verbose_name_plural = _("grid reports")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "grid"], name="one_report_per_grid")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.grid_id}: {self.found}"


class DisputeNumberSequence(models.Model):
    """The day's last dispute number (MD-YYYYMMDD-NNNN), taken under the row's lock."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class ReferralToken(TimeStampedModel):
    """A court's or another system's key to refer disputes and read their outcomes."""

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    region = models.ForeignKey(
        Region, verbose_name=_("may refer disputes in"), on_delete=models.PROTECT
    )
    source = models.CharField(
        _("refers as"), max_length=12, choices=Source.choices, default=Source.COURT
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("referral key")
        verbose_name_plural = _("referral keys")

    def __str__(self) -> str:
        return self.name

    def issue(self) -> str:
        """A new key (shown once); only its hash is kept."""
        import hashlib

        key = "md_" + secrets.token_urlsafe(24)
        self.key_hash = hashlib.sha256(key.encode()).hexdigest()
        return key
