"""The patrols room's models in the admin."""

from django.contrib import admin

from ..models import Checkpoint, Patrol, Route, Scan


class CheckpointInline(admin.TabularInline):
    model = Checkpoint
    extra = 0
    fields = ("order", "name", "lng", "lat", "code_version", "enabled")


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "team", "in_order", "radius_m", "enabled")
    list_filter = ("enabled", "in_order")
    search_fields = ("name",)
    raw_id_fields = ("region", "team")
    inlines = [CheckpointInline]


class ScanInline(admin.TabularInline):
    model = Scan
    extra = 0
    readonly_fields = (
        "checkpoint",
        "scanned_at",
        "lng",
        "lat",
        "accuracy_m",
        "distance_m",
        "too_far",
        "out_of_order",
        "no_position",
        "case",
    )
    can_delete = False


@admin.register(Patrol)
class PatrolAdmin(admin.ModelAdmin):
    list_display = (
        "route",
        "walker",
        "state",
        "started_at",
        "scanned",
        "checkpoints",
        "missed",
        "flagged",
    )
    list_filter = ("state",)
    raw_id_fields = ("route", "walker", "shift", "region")
    date_hierarchy = "started_at"
    inlines = [ScanInline]
