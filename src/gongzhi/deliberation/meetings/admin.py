"""The meetings room's admin pages: the meeting rules administrators edit (quorum and
decision fractions, notice days, the law), and the meetings, read-only (every step goes
through the workflow)."""

from django.contrib import admin

from ..models import AgendaItem, Meeting, MeetingEvent, MeetingRule


@admin.register(MeetingRule)
class MeetingRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "urban", "basis", "vote_per", "notice_days", "enabled")
    list_filter = ("kind", "urban", "enabled")
    search_fields = ("name", "code", "law")


class ReadOnly(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ItemInline(ReadOnly):
    model = AgendaItem
    fields = (
        "order",
        "title",
        "needs_vote",
        "outcome",
        "votes_for",
        "votes_against",
        "votes_abstain",
    )


class EventInline(ReadOnly):
    model = MeetingEvent
    fields = ("at", "action", "from_state", "to_state", "note")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "kind", "state", "region", "starts_at", "present")
    list_filter = ("state", "kind")
    search_fields = ("number", "title", "region__name")
    inlines = (ItemInline, EventInline)
    exclude = ("sign_in_token",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
