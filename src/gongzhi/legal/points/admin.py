"""Service points, audience groups and residents' profiles in the admin."""

from django.contrib import admin

from ..models import AudienceGroup, ResidentProfile, ServicePoint


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "region", "phone", "adviser", "enabled", "order")
    list_filter = ("level", "enabled")
    search_fields = ("code", "name", "address")
    raw_id_fields = ("region", "organisation", "adviser")


@admin.register(AudienceGroup)
class AudienceGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "enabled", "order", "colour")
    list_editable = ("enabled", "order")


@admin.register(ResidentProfile)
class ResidentProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "region", "updated_at")
    raw_id_fields = ("user", "region")
    filter_horizontal = ("groups",)
    search_fields = ("user__username", "region__name")
