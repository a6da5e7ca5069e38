"""Admin: the inbox rows, the delivery log (failures first to the eye), webhook endpoints
with their recent deliveries, a test event and "retry now"."""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import truncatechars
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Delivery, DeliveryStatus, Notification, WebhookEndpoint

RECENT_DAYS = 7  # what "failing" means in the lists
RECENT_DELIVERIES = 20  # shown on an endpoint's page; the delivery list has the rest


def mask_target(channel: str, target: str) -> str:
    # A phone number is personal data (rule 3): the admin shows 138****5678 everywhere;
    # who the recipient is stays one click away, behind the accounts app's own masking.
    if channel == "sms" and len(target) >= 7:
        return f"{target[:3]}****{target[-4:]}"
    return target


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["title", "body", "kind", "recipient__username"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request):
        return False  # written by services.notify(), which also queues the other channels


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "channel",
        "masked_target",
        "status",
        "response_code",
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "short_error",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "endpoint", "created_at"]
    # "=event_id": a receiver reports the X-Gongzhi-Delivery it got; find it exactly.
    search_fields = ["=target", "last_error", "recipient__username", "=event_id"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    list_select_related = ["recipient"]
    actions = ["retry_now"]
    readonly_fields = [
        "notification",
        "recipient",
        "endpoint",
        "channel",
        "masked_target",
        "payload",
        "status",
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "queued_at",
        "last_attempt_at",
        "last_error",
        "response_code",
        "event_id",
        "sent_at",
        "created_at",
    ]
    fields = readonly_fields  # a log to read, not a form to edit

    @admin.display(description=_("target"))
    def masked_target(self, obj):
        return mask_target(obj.channel, obj.target)

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return truncatechars(obj.last_error, 80)

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request, queryset):
        queued = services.retry_now(deliveries=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", queued
            )
            % {"count": queued},
            messages.SUCCESS if queued else messages.WARNING,
        )

    def has_add_permission(self, request):
        return False  # the log records what happened; it is not typed in

    def get_changelist_instance(self, request):
        cl = super().get_changelist_instance(request)
        # Say so when deliveries are failing, wherever the administrator is in the list.
        failing = Delivery.objects.filter(
            status__in=[DeliveryStatus.FAILED, DeliveryStatus.DEAD],
            created_at__gte=timezone.now() - timedelta(days=RECENT_DAYS),
        ).count()
        if failing and request.method == "GET":
            messages.warning(
                request,
                ngettext(
                    "%(count)d delivery failed in the last 7 days; filter by status to see it.",
                    "%(count)d deliveries failed in the last 7 days; filter by status to see them.",
                    failing,
                )
                % {"count": failing},
            )
        return cl


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "event_types", "enabled", "recent_failures", "updated_at"]
    list_filter = ["enabled"]
    search_fields = ["name", "url", "event_types"]
    list_editable = ["enabled"]
    actions = ["send_test_event", "retry_failed"]
    change_form_template = "admin/notify/webhookendpoint/change_form.html"
    # A bare host typed in the form gets https://, as Django 6 will do by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    fieldsets = [
        (None, {"fields": ["name", "url", "event_types", "enabled"]}),
        (_("Signing"), {"fields": ["secret"]}),
    ]

    def get_queryset(self, request):
        since = timezone.now() - timedelta(days=RECENT_DAYS)
        failing = Q(
            deliveries__status__in=[DeliveryStatus.FAILED, DeliveryStatus.DEAD],
            deliveries__created_at__gte=since,
        )
        return super().get_queryset(request).annotate(failures=Count("deliveries", filter=failing))

    @admin.display(description=_("failed in the last 7 days"), ordering="failures")
    def recent_failures(self, obj):
        return obj.failures

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The endpoint's delivery log, full width below the form (change_form.html).
        if obj is not None and obj.pk is not None:
            context.update(self._recent_deliveries(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _recent_deliveries(self, endpoint) -> dict:
        rows = list(endpoint.deliveries.order_by("-created_at", "-id")[:RECENT_DELIVERIES])
        for row in rows:
            row.event_type = (row.payload or {}).get("type", "")
        everything = reverse("admin:notify_delivery_changelist")
        return {
            "deliveries": rows,
            "deliveries_total": endpoint.deliveries.count(),
            "deliveries_url": f"{everything}?endpoint__id__exact={endpoint.pk}",
        }

    # -- send a test event, retry now: list actions and buttons on the endpoint's page --

    @admin.action(description=_("Send a test event (ping)"), permissions=["change"])
    def send_test_event(self, request, queryset):
        for endpoint in queryset:
            self._ping(request, endpoint)

    @admin.action(description=_("Retry failed deliveries now"), permissions=["change"])
    def retry_failed(self, request, queryset):
        self._retry(request, Delivery.objects.filter(endpoint__in=queryset))

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/ping/",
                view(self.ping_view),
                name="{}_{}_ping".format(*info),
            ),
            path(
                "<path:object_id>/retry/",
                view(self.retry_view),
                name="{}_{}_retry".format(*info),
            ),
            *super().get_urls(),
        ]

    def ping_view(self, request, object_id):
        endpoint = self._changeable(request, object_id)
        self._ping(request, endpoint)
        return redirect(self._change_url(endpoint))

    def retry_view(self, request, object_id):
        endpoint = self._changeable(request, object_id)
        self._retry(request, endpoint.deliveries.all())
        return redirect(self._change_url(endpoint))

    def _changeable(self, request, object_id) -> WebhookEndpoint:
        if request.method != "POST":
            raise PermissionDenied  # it sends a request: never on a GET
        endpoint = self.get_object(request, unquote(object_id))
        if endpoint is None:
            raise Http404
        if not self.has_change_permission(request, endpoint):
            raise PermissionDenied
        return endpoint

    def _change_url(self, endpoint) -> str:
        return reverse("admin:notify_webhookendpoint_change", args=[endpoint.pk])

    def _ping(self, request, endpoint) -> None:
        names = {"name": endpoint.name}
        try:
            delivery = services.send_test_event(endpoint=endpoint)
        except ValueError:
            self.message_user(
                request,
                _("%(name)s is disabled: enable it to send a test event.") % names,
                messages.WARNING,
            )
            return
        if delivery.status == DeliveryStatus.SENT:
            self.message_user(
                request,
                _("Test event delivered to %(name)s (HTTP %(code)s).")
                % {**names, "code": delivery.response_code},
                messages.SUCCESS,
            )
        elif delivery.status == DeliveryStatus.FAILED:
            self.message_user(
                request,
                _("The test event to %(name)s failed and will be retried: %(error)s")
                % {**names, "error": delivery.last_error},
                messages.WARNING,
            )
        else:
            self.message_user(
                request,
                _("The test event to %(name)s failed: %(error)s")
                % {**names, "error": delivery.last_error},
                messages.ERROR,
            )

    def _retry(self, request, deliveries) -> None:
        queued = services.retry_now(deliveries=deliveries)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", queued
            )
            % {"count": queued},
            messages.SUCCESS if queued else messages.WARNING,
        )
