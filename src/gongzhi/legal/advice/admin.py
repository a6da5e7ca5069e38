"""The advice room in the admin: the duty roster (edited here), questions (read), the
knowledge base (unpublish or correct an entry)."""

from django.contrib import admin

from ..models import DutyShift, KnowledgeEntry, Question


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ("day", "centre", "lawyer")
    list_filter = ("centre",)
    date_hierarchy = "day"
    autocomplete_fields = ("lawyer",)
    raw_id_fields = ("centre",)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("pk", "asked_at", "region", "state", "route", "lawyer", "due_at", "rating")
    list_filter = ("state", "route")
    raw_id_fields = ("asker", "region", "lawyer", "answered_by")
    readonly_fields = ("asked_at", "answered_at", "reminded_at", "escalated_at")
    search_fields = ("=id",)


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(admin.ModelAdmin):
    list_display = ("title", "published", "published_at")
    list_filter = ("published",)
    search_fields = ("title",)
    raw_id_fields = ("question",)
