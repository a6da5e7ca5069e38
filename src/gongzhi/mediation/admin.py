"""Mediation in the admin: reference rows to edit, and a window onto the register.

* Dispute types, risk rules and the level policies are reference data: editable.
* A dispute's state, level, holder, risk, mediators and history change only through the
  workflow (``services.do_transition``); here they are read-only, and so are its sessions,
  agreement, obligations and timeline. Only its wording (title, facts, source reference)
  may be corrected. Disputes are registered through ``services.do_register``, not here.
* Everything is scoped like the pages (``Dispute.objects.visible_to``); parties' personal
  data is shown masked, revealed only by the audited "Show personal data" button.
* Referral keys are issued here and shown once, like API tokens.
"""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import masking
from gongzhi.accounts.admin_mixins import MaskedFieldsAdminMixin, ScopedAdminMixin
from gongzhi.core.scope import scope_for

from . import referrals
from .api import scrubber
from .models import (
    Agreement,
    Campaign,
    Dispute,
    DisputeEvent,
    DisputeNumberSequence,
    DisputeType,
    GridReport,
    LevelPolicy,
    Obligation,
    Party,
    ReferralToken,
    RiskRule,
    Session,
)


class ReadOnlyAdminMixin:
    """Records the workflow writes: to look at, never to edit here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def masked_text(field: str, label, dispute=lambda obj: obj.dispute):
    """A read-only column of free text with the dispute's parties' data masked in it (facts
    and notes name the parties)."""

    @admin.display(description=label)
    def show(self, obj):
        return scrubber(dispute(obj).parties.all())(getattr(obj, field)) or "—"

    return show


class DisputeScopedAdminMixin:
    """Rows that belong to a dispute are visible when their dispute is."""

    dispute_field = "dispute"

    @admin.display(description=_("dispute"), ordering="dispute__number")
    def dispute_number(self, obj):
        # The number, not the dispute's name: its title often names the parties.
        return obj.dispute.number

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if scope_for(request.user).everything:
            return queryset
        visible = Dispute.objects.visible_to(request.user).values("pk")
        return queryset.filter(**{f"{self.dispute_field}__in": visible})


class PlaceScopedAdminMixin:
    """Screening rounds and their reports: visible in the places the user serves and to
    the unit that organised them."""

    region_path = "region__path"
    organiser_path = "organiser__path"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = scope_for(request.user)
        if scope.everything:
            return queryset
        condition = Q(pk__in=[])
        for path in scope.region_paths:
            condition |= Q(**{f"{self.region_path}__startswith": path})
        for path in scope.organisation_paths:
            condition |= Q(**{f"{self.organiser_path}__startswith": path})
        return queryset.filter(condition)


# -- reference data: editable ------------------------------------------------------------------


@admin.register(DisputeType)
class DisputeTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order", "colour", "enabled")
    list_editable = ("order", "enabled")
    list_filter = ("enabled",)
    search_fields = ("code", "name")


@admin.register(RiskRule)
class RiskRuleAdmin(admin.ModelAdmin):
    list_display = ("reason", "condition", "threshold", "risk", "order", "enabled")
    list_editable = ("risk", "enabled")
    list_filter = ("condition", "risk", "enabled")
    search_fields = ("code", "name", "reason", "words")
    fields = (
        "code",
        "name",
        "condition",
        "words",
        "threshold",
        "risk",
        "reason",
        "order",
        "colour",
        "enabled",
    )


@admin.register(LevelPolicy)
class LevelPolicyAdmin(admin.ModelAdmin):
    list_display = ("level", "days", "max_risk")
    list_editable = ("days", "max_risk")


# -- the register: the wording editable, the rest read-only ------------------------------------


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class PartyInline(ReadOnlyInline):
    model = Party
    fields = ("side", "kind", "masked_name", "masked_phone", "masked_id_number", "people")
    readonly_fields = fields

    @admin.display(description=_("name"))
    def masked_name(self, obj):
        return masking.masked_value(obj, "name") or "—"

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return masking.masked_value(obj, "phone") or "—"

    @admin.display(description=_("ID or credit code"))
    def masked_id_number(self, obj):
        return masking.masked_value(obj, "id_number") or "—"


class SessionInline(ReadOnlyInline):
    model = Session
    fields = ("held_at", "place", "attendees_", "summary_", "next_step_", "next_at", "recorded_by")
    readonly_fields = fields
    attendees_ = masked_text("attendees", _("who attended"))
    summary_ = masked_text("summary", _("what was said"))
    next_step_ = masked_text("next_step", _("next step"))


class DisputeEventInline(ReadOnlyInline):
    model = DisputeEvent
    fields = ("at", "action", "from_state", "to_state", "actor", "actor_organisation", "note_")
    readonly_fields = fields
    note_ = masked_text("note", _("note"))
    show_change_link = False
    ordering = ("at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "actor_organisation")


def _flat(fields) -> tuple:
    return tuple(n for entry in fields for n in (entry if isinstance(entry, tuple) else (entry,)))


def _own(obj):
    return obj


@admin.register(Dispute)
class DisputeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only but for the source reference: the workflow owns the handling, the dispute
    page the wording (its text names the parties, so it is shown masked here)."""

    list_display = ("number", "title_", "type", "state", "level", "risk", "holder", "created_at")
    list_filter = ("state", "level", "risk", "source", "type", "created_at")
    search_fields = ("number", "title", "external_ref", "source_ref")
    list_select_related = ("type", "holder")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    list_per_page = 50
    show_full_result_count = False
    editable = ("source_ref",)
    fieldsets = (
        (None, {"fields": ("number", "title_", "type", "facts_", "amount")}),
        (
            _("Source"),
            {"fields": ("source", "source_ref", "external_ref", "registered_by", "campaign")},
        ),
        (_("Place"), {"fields": ("region", "grid", "region_path")}),
        (
            _("Handling"),
            {
                "fields": (
                    "state",
                    ("level", "holder"),
                    ("level_since", "level_due"),
                    ("risk", "judged_risk"),
                    "risk_reasons",
                    "lead_mediator",
                    "helper_names",
                    "repeat_number",
                )
            },
        ),
        (
            _("Outcome"),
            {
                "fields": (
                    "decline_reason_",
                    "outcome_note_",
                    ("concluded_at", "settled_at", "closed_at"),
                )
            },
        ),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (PartyInline, SessionInline, DisputeEventInline)
    title_ = masked_text("title", _("title"), _own)
    facts_ = masked_text("facts", _("facts"), _own)
    decline_reason_ = masked_text("decline_reason", _("why declined, and where to go"), _own)
    outcome_note_ = masked_text("outcome_note", _("outcome"), _own)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("parties")

    def get_readonly_fields(self, request, obj=None):
        names = []
        for _title, options in self.fieldsets:
            for entry in options["fields"]:
                names.extend(entry if isinstance(entry, tuple) else (entry,))
        return [n for n in names if n not in self.editable]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("repeat of"))
    def repeat_number(self, obj):
        return obj.repeat_of.number if obj.repeat_of_id else "—"

    @admin.display(description=_("helping mediators"))
    def helper_names(self, obj):
        return ", ".join(u.masked_name for u in obj.helpers.all()) or "—"


@admin.register(Party)
class PartyAdmin(DisputeScopedAdminMixin, MaskedFieldsAdminMixin, admin.ModelAdmin):
    """A party's contact data may be corrected (write-only inputs, audited reveal); who
    they are in the dispute, and what makes it risky, belong to the register."""

    list_display = (
        "masked_name",
        "side",
        "kind",
        "masked_phone",
        "masked_id_number",
        "dispute_number",
    )
    list_filter = ("side", "kind", "is_vulnerable")
    search_fields = ("dispute__number",)
    list_select_related = ("dispute",)
    fields = (
        "dispute_number",
        "side",
        "kind",
        "name",
        "id_number",
        "phone",
        "address",
        "claims_",
        "people",
        "is_vulnerable",
        "petitions",
    )
    readonly_fields = (
        "dispute_number",
        "side",
        "kind",
        "claims_",
        "people",
        "is_vulnerable",
        "petitions",
    )
    claims_ = masked_text("claims", _("what they ask"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(DisputeScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("dispute_number", "held_at", "place", "recorded_by")
    search_fields = ("dispute__number",)
    list_select_related = ("dispute", "recorded_by")
    date_hierarchy = "held_at"
    fields = ("dispute_number", *SessionInline.fields)
    readonly_fields = fields
    attendees_ = SessionInline.attendees_
    summary_ = SessionInline.summary_
    next_step_ = SessionInline.next_step_


def _agreements_dispute(obj):
    return obj.agreement.dispute


class ObligationInline(ReadOnlyInline):
    model = Obligation
    fields = ("party_", "what_", "how", "due_on", "status", "checked_at", "check_note_")
    readonly_fields = fields
    party_ = masked_text("party", _("who"), _agreements_dispute)
    what_ = masked_text("what", _("obligation"), _agreements_dispute)
    check_note_ = masked_text("check_note", _("what the check found"), _agreements_dispute)


@admin.register(Agreement)
class AgreementAdmin(DisputeScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "dispute_number", "form", "confirmation", "created_at")
    list_filter = ("form", "confirmation")
    search_fields = ("number", "dispute__number")
    list_select_related = ("dispute",)
    fields = (
        "number",
        "dispute_number",
        "form",
        "disputed_matters_",
        "signed_copy",
        "signed_uploaded_at",
        "confirmation",
        "confirmation_court",
        ("confirmation_applied_on", "confirmation_decided_on"),
        "created_at",
    )
    readonly_fields = _flat(fields)
    disputed_matters_ = masked_text("disputed_matters", _("main facts and disputed matters"))
    inlines = (ObligationInline,)


@admin.register(Obligation)
class ObligationAdmin(DisputeScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    dispute_field = "agreement__dispute"
    list_display = ("agreement", "party_", "due_on", "status", "checked_at")
    list_filter = ("status",)
    search_fields = ("agreement__number", "agreement__dispute__number")
    list_select_related = ("agreement__dispute",)
    fields = ("agreement", *ObligationInline.fields, "reminded_at")
    readonly_fields = fields
    party_ = ObligationInline.party_
    what_ = ObligationInline.what_
    check_note_ = ObligationInline.check_note_


@admin.register(DisputeEvent)
class DisputeEventAdmin(DisputeScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("dispute_number", "at", "action", "from_state", "to_state", "actor")
    list_filter = ("action", "to_state")
    search_fields = ("dispute__number",)
    list_select_related = ("dispute", "actor", "actor_organisation")
    fields = (
        "dispute_number",
        "at",
        "action",
        ("from_state", "to_state"),
        "actor",
        "actor_organisation",
        "note_",
        "data",
        "is_public",
        "effects_pending",
    )
    readonly_fields = _flat(fields)
    note_ = DisputeEventInline.note_
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    show_full_result_count = False


@admin.register(DisputeNumberSequence)
class DisputeNumberSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "last")
    ordering = ("-day",)


# -- screening rounds --------------------------------------------------------------------------


class GridReportInline(ReadOnlyInline):
    model = GridReport
    fields = ("grid", "found", "reported_by", "reported_at", "note")
    readonly_fields = fields


@admin.register(Campaign)
class CampaignAdmin(PlaceScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "region", "organiser", "starts_on", "due_at", "reminded_at")
    search_fields = ("title",)
    list_select_related = ("organiser",)
    autocomplete_fields = ("region", "organiser")
    fields = ("title", "region", "organiser", "starts_on", "due_at", "reminded_at", "created_by")
    readonly_fields = ("reminded_at", "created_by")
    inlines = (GridReportInline,)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(GridReport)
class GridReportAdmin(PlaceScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    region_path = "grid__region_path"
    organiser_path = "campaign__organiser__path"
    list_display = ("campaign", "grid", "found", "reported_by", "reported_at")
    search_fields = ("campaign__title", "grid__code")
    list_select_related = ("campaign", "reported_by")


# -- referral keys -------------------------------------------------------------------------------


@admin.register(ReferralToken)
class ReferralTokenAdmin(admin.ModelAdmin):
    """Keys for courts and other systems. A key is shown once: when it is created, and when
    a new one is issued in its place (the old one stops working)."""

    list_display = ("name", "source", "region", "enabled", "created_at", "updated_at")
    list_filter = ("source", "enabled")
    search_fields = ("name",)
    autocomplete_fields = ("region",)
    fields = ("name", "source", "region", "enabled")
    actions = ["issue_new_key"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        self._show(request, obj, referrals.do_issue(token=obj))

    @admin.action(description=_("Issue a new key (the old one stops working)"))
    def issue_new_key(self, request, queryset):
        for token in queryset:
            self._show(request, token, referrals.do_issue(token=token))

    def _show(self, request, token, raw: str) -> None:
        self.message_user(
            request,
            _("The key for “%(name)s”, shown only this once — copy it now: %(key)s")
            % {"name": token.name, "key": raw},
            messages.WARNING,
        )
