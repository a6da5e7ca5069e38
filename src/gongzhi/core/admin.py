from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import AuditLog, CalendarDay, RateCounter


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """The audit log is evidence: it can be read and searched, never edited."""

    list_display = ["at", "actor", "action", "object_type", "object_repr", "fields", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "actor__username", "reason"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RateCounter)
class RateCounterAdmin(admin.ModelAdmin):
    """Who is being held back by a rate limit right now; written only by core.ratelimit."""

    list_display = ["scope", "key", "window_start", "expires", "hits"]
    list_filter = ["scope"]
    search_fields = ["key"]
    ordering = ["-window_start"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The year's holidays and make-up working days, entered from the holiday notice when
    chinese-calendar does not know the year yet; every deadline counts on them."""

    list_display = ["date", "weekday", "is_workday", "name"]
    list_filter = ["is_workday"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return date_format(obj.date, "l")
