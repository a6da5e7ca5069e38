"""The customs room's models in the admin."""

from django.contrib import admin

from ..models import Ceremony, CustomRule


@admin.register(CustomRule)
class CustomRuleAdmin(admin.ModelAdmin):
    list_display = ("region", "kind", "max_tables", "max_guests", "max_gift", "max_days", "enabled")
    list_filter = ("kind", "enabled")
    raw_id_fields = ("region",)


@admin.register(Ceremony)
class CeremonyAdmin(admin.ModelAdmin):
    list_display = ("pk", "region", "kind", "date", "state", "tables", "guests", "gift")
    list_filter = ("kind", "state")
    raw_id_fields = ("region", "household", "registered_by")
    readonly_fields = ("warnings",)
