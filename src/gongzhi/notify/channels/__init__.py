"""Notification channels, keyed by code. Importing this package registers the built-ins."""

from .base import (
    Channel,
    DeliveryError,
    Message,
    PermanentDeliveryError,
    SkipDelivery,
    channel_codes,
    get_channel,
)
from .email import EmailChannel
from .inapp import InAppChannel
from .sms import SmsChannel
from .webhook import WebhookChannel, signature, signed_headers, verify

__all__ = [
    "Channel",
    "DeliveryError",
    "EmailChannel",
    "InAppChannel",
    "Message",
    "PermanentDeliveryError",
    "SkipDelivery",
    "SmsChannel",
    "WebhookChannel",
    "channel_codes",
    "get_channel",
    "signature",
    "signed_headers",
    "verify",
]
