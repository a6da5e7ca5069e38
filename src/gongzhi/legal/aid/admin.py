"""Legal aid in the admin: the reference rows administrators edit (matter types, exemption
rules, each county's income standard), and the applications, read-only (every step goes
through the workflow), personal data masked."""

from django.contrib import admin

from gongzhi.accounts.admin_mixins import MaskedFieldsAdminMixin

from ..models.aid import (
    AidDocument,
    AidMatterType,
    AidProgress,
    Application,
    ApplicationEvent,
    ExemptionRule,
    IncomeStandard,
)


@admin.register(AidMatterType)
class AidMatterTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "article", "enabled", "order")
    list_editable = ("enabled", "order")
    search_fields = ("name", "code")


@admin.register(ExemptionRule)
class ExemptionRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "article", "flags", "min_age", "max_age", "enabled", "order")
    list_filter = ("article", "enabled")
    filter_horizontal = ("matter_types",)
    search_fields = ("name", "code", "reason")


@admin.register(IncomeStandard)
class IncomeStandardAdmin(admin.ModelAdmin):
    list_display = ("region", "yuan_per_person_month", "effective_from", "note")
    autocomplete_fields = ("region",)
    search_fields = ("region__name", "region__code")


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DocumentInline(ReadOnly, admin.TabularInline):
    model = AidDocument
    fields = ("kind", "title", "content_type", "size", "uploaded_at")
    readonly_fields = fields
    extra = 0


class ProgressInline(ReadOnly, admin.TabularInline):
    model = AidProgress
    fields = ("kind", "happened_on", "note")
    readonly_fields = fields
    extra = 0


class EventInline(ReadOnly, admin.TabularInline):
    model = ApplicationEvent
    fields = ("at", "action", "from_state", "to_state", "note")
    readonly_fields = fields
    extra = 0


@admin.register(Application)
class ApplicationAdmin(ReadOnly, MaskedFieldsAdminMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "masked_name",
        "matter_type",
        "state",
        "urgent",
        "overdue",
        "received_at",
        "decision_due",
    )
    list_filter = ("state", "urgent", "overdue", "hardship", "matter_type")
    search_fields = ("number",)
    date_hierarchy = "received_at"
    inlines = (DocumentInline, ProgressInline, EventInline)
    exclude = ("warned", "escalated")

    def get_queryset(self, request):
        return Application.objects.visible_to(request.user).select_related("matter_type", "region")
