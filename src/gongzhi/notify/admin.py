"""Admin: the inbox rows, the delivery log (failures first to the eye), webhook endpoints."""

from datetime import timedelta

from django.contrib import admin, messages
from django.db import models
from django.template.defaultfilters import truncatechars
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Delivery, DeliveryStatus, Notification, WebhookEndpoint


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
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "short_error",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "created_at"]
    search_fields = ["target", "last_error", "recipient__username"]
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
        "sent_at",
        "created_at",
    ]
    fields = readonly_fields  # a log to read, not a form to edit

    @admin.display(description=_("target"), ordering="target")
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
            created_at__gte=timezone.now() - timedelta(days=7),
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
    list_display = ["name", "url", "event_types", "enabled", "updated_at"]
    list_filter = ["enabled"]
    search_fields = ["name", "url", "event_types"]
    list_editable = ["enabled"]
    # A bare host typed in the form gets https://, as Django 6 will do by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
