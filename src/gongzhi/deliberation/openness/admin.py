"""The openness room's admin pages: publications, objections, tasks, progress and ratings,
read-only (every change goes through the services, so that households are told and the
rules hold)."""

from django.contrib import admin

from ..models import Implementation, Objection, Progress, Publication, Rating


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ObjectionInline(ReadOnly, admin.TabularInline):
    model = Objection
    fields = ("state", "body", "answer", "answered_at")
    extra = 0


@admin.register(Publication)
class PublicationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("matter", "kind", "region", "starts_on", "ends_on", "households_told")
    list_filter = ("kind",)
    search_fields = ("matter__number", "matter__title", "region__name")
    inlines = [ObjectionInline]


class ProgressInline(ReadOnly, admin.TabularInline):
    model = Progress
    fields = ("at", "percent", "note", "spent")
    extra = 0


@admin.register(Implementation)
class ImplementationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("title", "matter", "region", "owner_name", "due_on", "percent", "state")
    list_filter = ("state",)
    search_fields = ("title", "matter__number", "region__name")
    inlines = [ProgressInline]


@admin.register(Rating)
class RatingAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("matter", "stars", "at")
    search_fields = ("matter__number",)
