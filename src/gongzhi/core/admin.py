import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import audit, holidays
from .models import AuditLog, CalendarDay, PushMessage, RateCounter


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """The audit log is evidence: it can be read and searched, never edited. Each row shows
    its number and hash in the chain that ``gongzhi audit verify`` checks."""

    list_display = [
        "seq",
        "at",
        "actor_name",
        "action",
        "object_type",
        "object_repr",
        "fields",
        "ip_address",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "actor_name", "actor_ref", "reason"]
    date_hierarchy = "at"
    readonly_fields = ["actor_name", "actor_ref", "seq", "prev_hash", "row_hash"]
    ordering = ["-seq"]
    # The actor key may name a deleted account (rows are never updated): shown as text.
    exclude = ["actor"]
    # Reading the log is itself recorded: who looked at whose trail, with which filter.
    READ = "audit_read"

    change_list_template = "admin/core/auditlog/change_list.html"

    def get_urls(self):
        return [
            path(
                "verify/", self.admin_site.admin_view(self.verify_view), name="core_auditlog_verify"
            ),
            path(
                "export/", self.admin_site.admin_view(self.export_view), name="core_auditlog_export"
            ),
            *super().get_urls(),
        ]

    def verify_view(self, request):
        """The audit administrator checks the chain from the browser, as `gongzhi audit
        verify` does on the server."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        verdict = audit.verify_rows(AuditLog.objects.order_by("seq").iterator(chunk_size=2000))
        audit.record(
            actor=request.user,
            action="audit_verify",
            reason=f"{verdict.checked} rows, {len(verdict.problems)} problems",
            request=request,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Verify the audit log"),
            "opts": self.opts,
            "verdict": verdict,
            "problems": [audit.describe(p) for p in verdict.problems[:200]],
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/core/auditlog/verify.html", context)

    def export_view(self, request):
        """The rows as JSON lines with their hashes, for keeping off-site (one day on or all)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = AuditLog.objects.order_by("seq")
        since = request.GET.get("since", "")
        if since:
            try:
                day = dt.date.fromisoformat(since)
            except ValueError:
                self.message_user(
                    request, _("%s is not a date (YYYY-MM-DD).") % since, messages.ERROR
                )
                return redirect("admin:core_auditlog_changelist")
            rows = rows.filter(at__gte=timezone.make_aware(dt.datetime.combine(day, dt.time.min)))
        audit.record(
            actor=request.user,
            action="audit_export",
            reason=f"since {since or 'the start'}",
            request=request,
        )
        lines = (audit.export_line(row) + "\n" for row in rows.iterator(chunk_size=2000))
        response = StreamingHttpResponse(lines, content_type="application/x-ndjson; charset=utf-8")
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.jsonl"'
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            audit.record(
                actor=request.user,
                action=self.READ,
                reason=request.GET.urlencode()[:200],
                request=request,
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            entry = self.get_object(request, object_id)
            audit.record(actor=request.user, action=self.READ, obj=entry, request=request)
        return response

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


@admin.register(PushMessage)
class PushMessageAdmin(admin.ModelAdmin):
    """The live messages of the last day (``core.push``): what the open screens were sent,
    to read when a screen missed something; written only by ``push.publish``."""

    list_display = ["id", "at", "topic", "kind", "region_path"]
    list_filter = ["topic", "kind"]
    search_fields = ["region_path"]
    ordering = ["-id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CalendarImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The year's holidays and make-up working days, entered from the holiday notice when
    chinese-calendar does not know the year yet; every deadline counts on them. A whole
    year is imported from a CSV file (``core.holidays``) on the list's "Import" page."""

    list_display = ["date", "weekday", "is_workday", "name"]
    list_filter = ["is_workday"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]
    change_list_template = "admin/core/calendarday/change_list.html"

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return date_format(obj.date, "l")

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="core_calendarday_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                text = holidays.decode_csv(form.cleaned_data["file"].read())
                result = holidays.do_import(holidays.check_csv(text))
            except holidays.CalendarError as error:
                form.add_error("file", str(error))  # nothing was imported
            else:
                audit.record(
                    actor=request.user,
                    action="calendar_import",
                    reason=f"{result['created']} new, {result['updated']} replaced",
                    request=request,
                )
                self.message_user(
                    request,
                    _("Imported %(created)d new days and replaced %(updated)d.") % result,
                    messages.SUCCESS,
                )
                return redirect("admin:core_calendarday_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import holidays and make-up working days"),
            "opts": self.opts,
            "form": form,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/core/calendarday/import.html", context)
