"""The in-app inbox, attempt-tracked deliveries on external channels, webhook endpoints."""

import fnmatch
import re
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import DigestField, SealedCharField


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        # The only way views reach notifications: a user sees their own inbox, nothing else.
        return self.filter(recipient_id=user.pk)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message in one person's in-app inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(
        _("kind"), max_length=64, help_text=_("Event type, e.g. case.dispatched.")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        # Serves the unread badge every open page polls: recipient = ? AND read_at IS NULL.
        indexes = [models.Index(fields=["recipient", "read_at"], name="notify_recipient_read_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Failed permanently")
    SKIPPED = "skipped", _("Skipped")


# A worker may claim a delivery only from these states (and only once it is due).
CLAIMABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


class Delivery(models.Model):
    """One message to send on an external channel, with its attempts and last error."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notification_deliveries",
    )
    endpoint = models.ForeignKey(
        "WebhookEndpoint",
        verbose_name=_("webhook endpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=20, db_index=True)
    # Sealed at rest: an SMS's target is a person's phone, an e-mail's their address.
    target = SealedCharField(
        _("target"), plain_max_length=500, blank=True, help_text=_("Phone number, e-mail or URL.")
    )
    target_digest = DigestField(source="target", db_index=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=5)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    queued_at = models.DateTimeField(
        _("queued at"),
        null=True,
        blank=True,
        help_text=_(
            "When a send task was last put on the queue; lets the retry job skip queued work."
        ),
    )
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    response_code = models.PositiveSmallIntegerField(
        _("response code"),
        null=True,
        blank=True,
        help_text=_("The HTTP status of the last attempt, when the other end answered."),
    )
    event_id = models.CharField(
        _("event id"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("Webhooks: the event's id, sent as X-Gongzhi-Delivery on every attempt."),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, editable=False, db_index=True
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        # Serves the retry job: status IN (pending, failed) AND next_attempt_at <= now.
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_delivery_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} ({self.get_status_display()})"


def generate_secret() -> str:
    return secrets.token_hex(32)


class WebhookEndpoint(models.Model):
    """A URL an administrator subscribes to platform events, signed with a shared secret.

    The contract (headers, body, signature, retries) is in ``channels/webhook.py`` and
    docs/webhooks.md.
    """

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("secret"),
        max_length=128,
        default=generate_secret,
        help_text=_(
            "Shared key that signs every request. Each POST carries X-Gongzhi-Event (the "
            "event type), X-Gongzhi-Delivery (the event id, the same on every retry: drop "
            "repeats), X-Gongzhi-Timestamp (Unix seconds) and X-Gongzhi-Signature: "
            "sha256= followed by the hex HMAC-SHA256 of the timestamp, a full stop and the "
            "raw body, keyed with this secret. To verify, recompute it over the raw body as received, "
            "compare in constant time and refuse timestamps more than 5 minutes from now. "
            "A changed secret applies to retries too. See docs/webhooks.md."
        ),
    )
    event_types = models.TextField(
        _("event types"),
        default="*",
        help_text=_(
            "Comma- or space-separated event types, e.g. case.dispatch, case.*; * for all. "
            "The test event (ping) is sent whatever is listed here."
        ),
    )
    enabled = models.BooleanField(
        _("enabled"),
        default=True,
        help_text=_("A disabled endpoint is sent nothing, not even deliveries already queued."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def patterns(self) -> list[str]:
        return [p for p in re.split(r"[\s,;]+", self.event_types or "") if p]

    def subscribes_to(self, event_type: str) -> bool:
        # Shell-style patterns: "*" matches everything, "case.*" a family of events.
        return any(fnmatch.fnmatchcase(event_type, p) for p in self.patterns)
