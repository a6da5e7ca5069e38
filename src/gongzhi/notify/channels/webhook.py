"""Webhooks: a signed JSON POST of one event to one administrator-configured endpoint.

Every request carries (docs/webhooks.md is the receiver's guide):

    X-Gongzhi-Event:     the event type, e.g. case.dispatch
    X-Gongzhi-Delivery:  the event id, the body's "id"; the same on every retry
    X-Gongzhi-Timestamp: Unix seconds when this attempt was signed
    X-Gongzhi-Signature: sha256=<hex HMAC-SHA256 of b"<timestamp>." + raw body, keyed
                         with the endpoint's secret (UTF-8)>

Signing the timestamp with the body lets a receiver refuse an old request replayed by
someone who captured it; the delivery id lets it drop the duplicates retries may cause.
"""

import hashlib
import hmac
import time

from .. import conf
from .base import Channel, PermanentDeliveryError, SkipDelivery
from .http import encode, post_json

# How old a signed timestamp a receiver should accept (seconds); what verify() defaults to.
DEFAULT_TOLERANCE = 300


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Gongzhi-Signature value for ``body`` sent at ``timestamp``."""
    signed = f"{timestamp}.".encode("ascii") + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The timestamp and signature headers for one attempt at sending ``body``."""
    timestamp = str(int(time.time() if now is None else now))
    return {
        "X-Gongzhi-Timestamp": timestamp,
        "X-Gongzhi-Signature": signature(secret, timestamp, body),
    }


def verify(
    *,
    secret: str,
    body: bytes,
    timestamp: str,
    signature_header: str,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """What a receiver does (a Gongzhi receiving another's events can call this): the
    signature matches, compared in constant time, and the timestamp is recent."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, sent, body), signature_header or "")


class WebhookChannel(Channel):
    """POSTs a signed event {id, type, occurred_at, data} to a WebhookEndpoint."""

    code = "webhook"
    per_recipient = False

    def send(self, delivery) -> int:
        endpoint = delivery.endpoint
        if endpoint is None:
            raise PermanentDeliveryError("the webhook endpoint was deleted")
        if not endpoint.enabled:
            raise SkipDelivery("the webhook endpoint is disabled")
        # The body is the stored event, byte for byte the same on every retry; URL and
        # secret are read now, so a corrected URL or a rotated secret applies to retries.
        body = encode(delivery.payload)
        headers = {
            "X-Gongzhi-Event": str(delivery.payload.get("type", "")),
            "X-Gongzhi-Delivery": str(delivery.payload.get("id") or delivery.event_id),
            **signed_headers(endpoint.secret, body),
        }
        return post_json(endpoint.url, body, headers=headers, timeout=conf.http_timeout())
