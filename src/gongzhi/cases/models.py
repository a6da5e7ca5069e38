"""事件/工单: a case from report to closure, its timeline, attachments and callback.

State changes happen only in ``cases.workflow.transition``; nothing else assigns
``Case.state``.
"""

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.db.models import Case as Switch
from django.db.models import F, Q, When
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import masking
from gongzhi.accounts.models import Organisation
from gongzhi.core.fields import DigestField, SealedCharField
from gongzhi.core.models import TimeStampedModel
from gongzhi.core.timeline import TimelineEvent
from gongzhi.regions.models import Grid, Region
from gongzhi.taxonomy.models import Category

from .choices import (
    FINAL_STATES,
    OPEN_STATES,
    Channel,
    ExtensionStatus,
    HandlingLevel,
    Satisfaction,
    State,
    SuspensionStatus,
)

# The deadline a case is racing against now (None when none is running): accepting while
# reported, dispatching while accepted, signing for while dispatched, resolving while in
# hand. The queue sorts by it and an index holds it on PostgreSQL (``case_next_due``, made by
# migration 0013_scale_indexes, remade by 0015_redispatch_clocks): change them together.
NEXT_DUE = Switch(
    When(state__in=["reported"], then=F("accept_due")),
    When(state__in=["accepted", "returned", "reopened", "escalated"], then=F("dispatch_due")),
    When(state__in=["dispatched"], then=F("sign_for_due")),
    When(state__in=["dispatched", "in_progress"], then=F("resolve_due")),
    default=None,
)


def _tracking_token() -> str:
    return secrets.token_urlsafe(12)


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see the cases of the places they govern and the cases their units handle;
        a resident sees the cases they reported. The one rule for every list, page, export
        and map layer of cases."""
        from gongzhi.core.scope import scope_for

        if user is None or not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        if scope.everything:
            return self.all()
        condition = models.Q(reporter=user)
        for path in scope.territory_paths:
            condition |= models.Q(region_path__startswith=path)
        if scope.organisation_paths:
            # No join (which could repeat a case and hides the indexes): the units by their
            # paths first, then each column against them, each served by its own index.
            units = Q()
            for path in scope.organisation_paths:
                units |= Q(path__startswith=path)
            unit_ids = Organisation.objects.filter(units).values("pk")
            co_handled = CoHandler.objects.filter(organisation__in=unit_ids).values("case_id")
            condition |= (
                models.Q(owner__in=unit_ids)
                | models.Q(command__in=unit_ids)
                | models.Q(pk__in=co_handled)
            )
        return self.filter(condition)

    def open(self):
        return self.exclude(state__in=FINAL_STATES)


class Case(TimeStampedModel):
    # Masked on every page; roles that need them reveal them, audited (accounts.services).
    sensitive_fields = {"reporter_name": masking.NAME, "reporter_phone": masking.MOBILE}

    number = models.CharField(_("case number"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.REPORTED, db_index=True
    )
    is_urgent = models.BooleanField(_("urgent"), default=False)

    # Who raised it. Personal fields are masked wherever shown (accounts.masking).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    reporter_name = models.CharField(_("reporter name"), max_length=50, blank=True)
    reporter_phone = SealedCharField(_("reporter phone"), plain_max_length=20, blank=True)
    reporter_phone_digest = DigestField(source="reporter_phone", db_index=True)
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entered_cases",
    )

    # Where: a WGS84 point and/or an address; located into grid and region on intake.
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    region_path = models.CharField(_("region path"), max_length=255, blank=True, db_index=True)

    # Answers to the category's extra questions (taxonomy.CategoryAttribute), by code.
    attributes = models.JSONField(_("extra answers"), default=dict, blank=True)

    # Who handles it: the command centre that dispatches, the lead unit, its co-handlers.
    command = models.ForeignKey(
        Organisation,
        verbose_name=_("command centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commanded_cases",
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )

    # The command centre's own clocks (taxonomy.StageClock): accepting runs from the report,
    # dispatching from the acceptance (or from the return, reopening or escalation that
    # brought the case back: ``dispatch_from``); *_met is filled when the step is first taken.
    accept_due = models.DateTimeField(_("accept by"), null=True, blank=True, db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accept_met = models.BooleanField(_("accepted in time"), null=True, blank=True)
    dispatch_due = models.DateTimeField(_("dispatch by"), null=True, blank=True, db_index=True)
    dispatch_met = models.BooleanField(_("dispatched in time"), null=True, blank=True)
    dispatch_from = models.DateTimeField(_("dispatch clock started"), null=True, blank=True)
    # Deadlines from the category's SLA, set on dispatch; *_met is filled when decided.
    sign_for_due = models.DateTimeField(_("sign for by"), null=True, blank=True, db_index=True)
    resolve_due = models.DateTimeField(_("resolve by"), null=True, blank=True, db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    sign_for_met = models.BooleanField(_("signed for in time"), null=True, blank=True)
    resolve_met = models.BooleanField(_("resolved in time"), null=True, blank=True)
    # The running step's warning and overdue notice (accept, dispatch, sign for, resolve: one
    # step at a time); each step that ends one clock clears them for the next.
    is_overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    warned_at = models.DateTimeField(_("deadline warning sent"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("overdue notice sent"), null=True, blank=True)
    supervision_count = models.PositiveSmallIntegerField(_("times supervised"), default=0)

    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_cases",
    )
    # 拆分: the case this one was split off (one call, several problems); the original keeps
    # one of them and lists the others as its ``split_cases``.
    split_from = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="split_cases",
    )
    result = models.TextField(_("handling result"), blank=True)
    tracking_token = models.CharField(
        _("tracking token"), max_length=32, default=_tracking_token, editable=False
    )
    # Client-generated key: a retried submission returns the first case (rule 7).
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=80, null=True, blank=True, unique=True
    )

    # Set by intake, cleared by its follow-up (``follow_up.run``): the triage assessment and
    # the notices of intake's automatic steps, done in batches off the reporter's request.
    follow_up_pending = models.BooleanField(_("follow-up pending"), default=False, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["category", "created_at"]),
            models.Index(fields=["owner", "state"]),
            # A day's reports and a day's closures: what the command centre's rollups recount
            # when a case changes, and the queue's date filters.
            models.Index(fields=["created_at"], name="cases_case_created_at"),
            models.Index(fields=["closed_at"], name="cases_case_closed_at"),
            # Holds only the few cases waiting for their follow-up: cheap to keep and to scan.
            models.Index(
                fields=["id"], condition=Q(follow_up_pending=True), name="case_follow_up_pending"
            ),
            # The queue's orders at any table size (issue 25): newest first, and the deadline
            # running now (the expression the queue sorts by), each read in index order.
            models.Index(F("created_at").desc(), F("id").desc(), name="case_newest"),
            # (The deadline order's index, case_next_due, is PostgreSQL's only: SQLite cannot
            # index NULLS LAST. Migration 0012_scale_indexes makes it.)
            # The scope rule's places: a region subtree is a prefix of the path.
            models.Index(
                fields=["region_path", "created_at"],
                name="case_region_created",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            # The cases a command centre or a unit sees outside its places (the rates count
            # them beside the rollups of the places): ranges of the path per unit.
            models.Index(
                fields=["command", "region_path"],
                name="case_command_place",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["owner", "region_path"],
                name="case_owner_place",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            # The map: open cases only (however many closed ones pile up), newest first and
            # by the view's box.
            models.Index(
                F("created_at").desc(),
                F("id").desc(),
                name="case_open_newest",
                condition=Q(state__in=sorted(OPEN_STATES)),
            ),
            models.Index(
                fields=["lng", "lat"],
                name="case_open_point",
                condition=Q(state__in=sorted(OPEN_STATES), lng__isnull=False),
            ),
            # The callback list: closed cases by closing time, in the list's order.
            models.Index(
                fields=["closed_at", "created_at", "id"],
                name="case_closed_order",
                condition=Q(state="closed"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def tracking_url(self) -> str:
        """The reporter's page for the case: public progress, and the callback once closed."""
        from django.urls import reverse

        return (
            f"{reverse('cases:track', args=[self.number])}?{urlencode({'t': self.tracking_token})}"
        )

    @property
    def is_open(self) -> bool:
        return self.state not in FINAL_STATES


class CaseEvent(TimelineEvent):
    """One line of a case's timeline. Written by the workflow engine only."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_events",
    )
    actor_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        ordering = ["at", "id"]
        indexes = [
            # The sweep's question, at any table size: which steps still owe their notices.
            models.Index(
                fields=["id"],
                condition=models.Q(effects_pending=True),
                name="cases_event_effects_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.action}"

    def display_note(self) -> str:
        """The note in the reader's language where the platform wrote it (it is stored in
        the language of whoever's request made it); a person's own words as written."""
        from gongzhi.cases.notes import display_note

        return display_note(self)

    def display_data(self) -> dict:
        """The details with the units and categories named, not coded (``cases.notes``)."""
        from gongzhi.cases.notes import display_data

        return display_data(self)


class CaseSupport(models.Model):
    """A resident who has the same problem adds their voice to an open case (我也遇到)
    instead of filing a duplicate; supports count towards a hotspot's heat."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supporter"),
        on_delete=models.CASCADE,
        related_name="case_supports",
    )
    created_at = models.DateTimeField(_("supported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="one_support_per_user")
        ]

    def __str__(self):
        return f"{self.case_id} +1 {self.user_id}"


class Attachment(TimeStampedModel):
    class Stage(models.TextChoices):
        REPORT = "report", _("With the report")
        RESOLUTION = "resolution", _("Handling evidence")
        VERIFICATION = "verification", _("Verification")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="attachments"
    )
    event = models.ForeignKey(
        CaseEvent,
        verbose_name=_("timeline entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.REPORT)
    image = models.ImageField(_("photo"), upload_to="cases/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="cases/%Y/%m/thumbs/", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.image.name


class CoHandler(TimeStampedModel):
    """吹哨报到: a unit summoned to help the lead unit."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="co_handlers"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="co_handled_cases",
    )
    task = models.CharField(_("task"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("co-handling unit")
        verbose_name_plural = _("co-handling units")
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation"], name="unique_case_cohandler")
        ]

    def __str__(self) -> str:
        return f"{self.case.number} + {self.organisation}"


class ExtensionRequest(TimeStampedModel):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_due = models.DateTimeField(_("new deadline"))
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
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

    class Meta:
        verbose_name = _("deadline extension request")
        verbose_name_plural = _("deadline extension requests")

    def __str__(self) -> str:
        return f"{self.case.number} → {self.new_due:%Y-%m-%d %H:%M}"


class Suspension(TimeStampedModel):
    """挂起: a unit (or the dispatcher) asks to pause a case in hand, the command centre
    approves or refuses; while it is suspended its clocks stand still, and on resuming its
    deadlines move by the working time it was suspended (``workflow.suspension``)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="suspensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300)
    resume_on = models.DateField(_("expected resume date"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SuspensionStatus.choices,
        default=SuspensionStatus.PENDING,
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
    # The state the case was in when it was suspended: it goes back there on resuming.
    from_state = models.CharField(_("suspended from"), max_length=20, blank=True)
    started_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The tick's question: which suspended cases are due to resume.
            models.Index(
                fields=["resume_on"],
                condition=Q(status="active"),
                name="cases_suspension_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} ⏸ {self.resume_on}"


class Answer(TimeStampedModel):
    """知识库: an answer the hotline gives to a common question, found by the operator while
    the caller is on the line (``cases.answers``), for one category (or any) and one region
    and those below it (or everywhere)."""

    question = models.CharField(_("question"), max_length=200)
    answer = models.TextField(_("answer"))
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
        help_text=_("Empty: for any category."),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
        help_text=_("Empty: everywhere; else this region and those below it."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    times_used = models.PositiveIntegerField(_("times used"), default=0)
    source_case = models.ForeignKey(
        Case,
        verbose_name=_("saved from case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("knowledge-base answer")
        verbose_name_plural = _("knowledge base")
        ordering = ["-times_used", "question"]

    def __str__(self) -> str:
        return self.question


class Callback(TimeStampedModel):
    """回访: the reporter's own answer, or an operator's record of a phone call."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="callbacks"
    )
    resolved = models.BooleanField(_("problem solved"))
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    by_phone = models.BooleanField(_("recorded by an operator"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_satisfaction_display()}"


class RoutingRule(TimeStampedModel):
    """Which level handles a category. The most specific rule (deepest category) wins."""

    category = models.OneToOneField(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="routing_rule"
    )
    level = models.CharField(_("handled by"), max_length=20, choices=HandlingLevel.choices)
    department_function = models.CharField(
        _("department function"),
        max_length=40,
        blank=True,
        help_text=_(
            "For department levels: the function code of the department "
            "(empty: the function of the category's owning unit)."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.category} → {self.get_level_display()}"


class ChannelPolicy(TimeStampedModel):
    """Per-channel intake policy, e.g. a grid worker's own report skips acceptance."""

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, unique=True)
    auto_accept = models.BooleanField(_("accept automatically"), default=False)
    auto_dispatch = models.BooleanField(
        _("dispatch automatically"),
        default=False,
        help_text=_("Dispatch to the routed unit at once when routing is unambiguous."),
    )

    class Meta:
        verbose_name = _("channel policy")
        verbose_name_plural = _("channel policies")

    def __str__(self) -> str:
        return self.get_channel_display()


class CaseNumberSequence(models.Model):
    """Daily counter behind readable case numbers (HD-20261128-000123)."""

    prefix = models.CharField(_("prefix"), max_length=8)
    day = models.DateField(_("day"))
    last = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="unique_case_seq")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.day:%Y%m%d} #{self.last}"
