"""The matters room's admin pages: matters with their steps and timeline, read mostly (a
step is taken through the workflow, never by editing the state here)."""

from django.contrib import admin

from ..models import Matter, MatterEvent, MatterStep


class StepInline(admin.TabularInline):
    model = MatterStep
    extra = 0
    can_delete = False
    fields = (
        "kind",
        "at",
        "meeting",
        "outcome",
        "participant_count",
        "votes_for",
        "votes_against",
        "votes_abstain",
    )
    readonly_fields = fields
    show_change_link = True


class EventInline(admin.TabularInline):
    model = MatterEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_state", "to_state", "actor", "note")
    readonly_fields = fields


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "state", "major", "region", "created_at")
    list_filter = ("state", "major", "resolved_by")
    search_fields = ("number", "title")
    readonly_fields = ("number", "state", "region_path", "proposed_by", "resolved_at", "done_at")
    raw_id_fields = ("region",)
    inlines = (StepInline, EventInline)

    def has_add_permission(self, request):
        return False  # proposed by the secretary through the pages or the API


@admin.register(MatterStep)
class MatterStepAdmin(admin.ModelAdmin):
    list_display = ("matter", "kind", "outcome", "at")
    list_filter = ("kind", "outcome")
    search_fields = ("matter__number",)
    raw_id_fields = ("matter", "meeting", "recorded_by")
    readonly_fields = ("matter", "kind", "at")

    def has_add_permission(self, request):
        return False
