"""Cases in the admin: a window onto the records, not a way round the workflow.

* A case's state, deadlines, units and history change only through the workflow
  (``workflow.transition``); here they are read-only, and so are the timeline, the
  co-handlers, the photos, the callbacks and the extension requests. Only the wording of a
  case (title, description, address) may be corrected.
* Cases cannot be added here (intake numbers, locates and routes them) nor deleted (the
  rates and the audit trail are built from them).
* Routing rules and channel policies are reference data: editable.
* Everything is scoped like the consoles (``Case.objects.visible_to``), and the reporter's
  personal data is shown masked; a role that may unmask gets the audited "Show personal
  data" button of ``MaskedFieldsAdminMixin``.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import masking
from gongzhi.accounts.admin_mixins import MaskedFieldsAdminMixin, ScopedAdminMixin
from gongzhi.core.scope import scope_for

from .models import (
    Answer,
    Attachment,
    Callback,
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseSupport,
    ChannelPolicy,
    CoHandler,
    ExtensionRequest,
    RoutingRule,
    Suspension,
)


class ReadOnlyAdminMixin:
    """Records written by the workflow: to look at, never to edit here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseScopedAdminMixin:
    """Rows that belong to a case are visible when their case is."""

    case_field = "case"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if scope_for(request.user).everything:
            return queryset
        visible = Case.objects.visible_to(request.user).values("pk")
        return queryset.filter(**{f"{self.case_field}_id__in": visible})


def _thumbnail(attachment):
    image = attachment.thumbnail or attachment.image
    if not image:
        return "—"
    return format_html(
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="" '
        'style="max-height:80px;max-width:120px;border-radius:4px"></a>',
        attachment.image.url,
        image.url,
    )


# -- inlines on the case: all read-only --------------------------------------------------------


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = (
        "at",
        "action",
        "from_state",
        "to_state",
        "actor",
        "actor_organisation",
        "note",
        "data",
        "is_public",
    )
    readonly_fields = fields
    ordering = ("at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "actor_organisation")


class CoHandlerInline(ReadOnlyInline):
    model = CoHandler
    fields = ("organisation", "task", "created_at")
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("preview", "stage", "uploaded_by", "created_at")
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, obj):
        return _thumbnail(obj)


class ExtensionRequestInline(ReadOnlyInline):
    model = ExtensionRequest
    fields = ("new_due", "reason", "status", "requested_by", "decided_by", "decided_at")
    readonly_fields = fields


class SuspensionInline(ReadOnlyInline):
    model = Suspension
    fields = ("reason", "resume_on", "status", "requested_by", "started_at", "ended_at")
    readonly_fields = fields


class CallbackInline(ReadOnlyInline):
    model = Callback
    fields = ("created_at", "resolved", "satisfaction", "comment", "by_phone", "recorded_by")
    readonly_fields = fields


# -- the case ------------------------------------------------------------------------------------


@admin.register(Case)
class CaseAdmin(ScopedAdminMixin, MaskedFieldsAdminMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "title",
        "category",
        "state",
        "owner",
        "channel",
        "created_at",
        "is_overdue",
    )
    list_filter = (
        "state",
        "channel",
        "is_overdue",
        "is_urgent",
        # Reports the watcher has not followed up yet: a growing list means it is not running.
        "follow_up_pending",
        ("owner", admin.RelatedOnlyFieldListFilter),
        ("command", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    search_fields = ("number", "title")
    list_select_related = ("category", "owner")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    list_per_page = 50
    show_full_result_count = False
    # The wording may be corrected; everything else moves only through the workflow.
    editable = ("title", "description", "address")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "console_link",
                    "title",
                    "description",
                    "category",
                    "state",
                    "is_urgent",
                    "channel",
                )
            },
        ),
        (_("Place"), {"fields": ("address", "lng", "lat", "grid", "region", "region_path")}),
        (
            _("Reporter"),
            {
                "fields": (
                    "masked_reporter_name",
                    "masked_reporter_phone",
                    "is_anonymous",
                    "reporter",
                    "entered_by",
                )
            },
        ),
        (
            _("Handling"),
            {"fields": ("command", "owner", "merged_into", "result", "supervision_count")},
        ),
        (
            _("Deadlines"),
            {
                "fields": (
                    ("sign_for_due", "signed_at", "sign_for_met"),
                    ("resolve_due", "resolved_at", "resolve_met"),
                    ("dispatched_at", "closed_at"),
                    ("is_overdue", "warned_at", "overdue_notified_at"),
                )
            },
        ),
        (
            _("Record"),
            {
                "fields": ("created_at", "updated_at", "idempotency_key"),
                "classes": ("collapse",),
            },
        ),
    )
    inlines = (
        CaseEventInline,
        CoHandlerInline,
        AttachmentInline,
        ExtensionRequestInline,
        SuspensionInline,
        CallbackInline,
    )

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

    @admin.display(description=_("reporter name"))
    def masked_reporter_name(self, obj):
        return masking.mask_name(obj.reporter_name) or "—"

    @admin.display(description=_("reporter phone"))
    def masked_reporter_phone(self, obj):
        return masking.mask_mobile(obj.reporter_phone) or "—"

    @admin.display(description=_("case page"))
    def console_link(self, obj):
        if obj is None or not obj.pk:
            return "—"
        url = reverse("cases:detail", args=[obj.number])
        return format_html('<a href="{}">{}</a>', url, _("Open the case page"))


# -- the records around a case: read-only ---------------------------------------------------------


@admin.register(CaseEvent)
class CaseEventAdmin(CaseScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "at", "action", "from_state", "to_state", "actor", "actor_organisation")
    list_filter = ("action", "to_state", "is_public")
    search_fields = ("case__number",)
    list_select_related = ("case", "actor", "actor_organisation")
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    show_full_result_count = False


@admin.register(CoHandler)
class CoHandlerAdmin(CaseScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "organisation", "task", "created_at")
    list_filter = (("organisation", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("case__number", "organisation__name")
    list_select_related = ("case", "organisation")


@admin.register(Attachment)
class AttachmentAdmin(CaseScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("preview", "case", "stage", "uploaded_by", "created_at")
    list_filter = ("stage",)
    search_fields = ("case__number",)
    list_select_related = ("case", "uploaded_by")
    fields = (
        "preview",
        "case",
        "stage",
        "event",
        "image",
        "thumbnail",
        "uploaded_by",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, obj):
        return _thumbnail(obj)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(CaseScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "new_due", "status", "requested_by", "decided_by", "decided_at")
    list_filter = ("status",)
    search_fields = ("case__number",)
    list_select_related = ("case", "requested_by", "decided_by")


@admin.register(Suspension)
class SuspensionAdmin(CaseScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "resume_on", "status", "requested_by", "started_at", "ended_at")
    list_filter = ("status",)
    search_fields = ("case__number",)
    list_select_related = ("case", "requested_by")


@admin.register(Callback)
class CallbackAdmin(CaseScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "satisfaction", "resolved", "by_phone", "created_at")
    list_filter = ("satisfaction", "resolved", "by_phone")
    search_fields = ("case__number",)
    list_select_related = ("case",)


@admin.register(CaseSupport)
class CaseSupportAdmin(CaseScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("case", "user", "created_at")
    search_fields = ("case__number",)
    list_select_related = ("case", "user")


@admin.register(CaseNumberSequence)
class CaseNumberSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("prefix", "day", "last")
    list_filter = ("prefix",)
    ordering = ("-day", "prefix")


# -- reference data: editable ---------------------------------------------------------------------


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "level", "department_function", "enabled")
    list_editable = ("level", "enabled")
    list_filter = ("level", "enabled")
    search_fields = ("category__name", "category__full_name", "department_function")
    autocomplete_fields = ("category",)
    list_select_related = ("category",)
    ordering = ("category__path",)


@admin.register(ChannelPolicy)
class ChannelPolicyAdmin(admin.ModelAdmin):
    list_display = ("channel", "auto_accept", "auto_dispatch")
    list_editable = ("auto_accept", "auto_dispatch")


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    """知识库: the hotline's answers, edited here; operators find them while on the line."""

    list_display = ("question", "category", "region", "enabled", "times_used", "updated_at")
    list_editable = ("enabled",)
    list_filter = ("enabled",)
    search_fields = ("question", "answer")
    autocomplete_fields = ("category", "region")
    list_select_related = ("category",)
    readonly_fields = ("times_used", "source_case", "created_by")
    fields = ("question", "answer", "category", "region", "enabled", *readonly_fields)

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
