"""The volunteers room's models in the admin."""

from django.contrib import admin

from ..models import Shift, SignUp, Team, TeamMember, Volunteer


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "state", "hours"]
    list_filter = ["state"]
    search_fields = ["name"]
    raw_id_fields = ["user", "resident", "household", "region", "checked_by"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "leader", "enabled"]
    raw_id_fields = ["region", "leader"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "region", "starts_at", "taken", "capacity", "state"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["region", "team", "created_by"]


admin.site.register(TeamMember)
admin.site.register(SignUp)
