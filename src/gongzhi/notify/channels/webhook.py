import hashlib
import hmac

from .. import conf
from .base import Channel, PermanentDeliveryError, SkipDelivery
from .http import encode, post_json


def signature(secret: str, body: bytes) -> str:
    """The X-Gongzhi-Signature value: receivers recompute it over the raw body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookChannel(Channel):
    """POSTs a signed event {type, id, occurred_at, data} to a WebhookEndpoint."""

    code = "webhook"
    per_recipient = False

    def send(self, delivery) -> None:
        endpoint = delivery.endpoint
        if endpoint is None:
            raise PermanentDeliveryError("the webhook endpoint was deleted")
        if not endpoint.enabled:
            raise SkipDelivery("the webhook endpoint is disabled")
        # URL and secret are read at send time, so a rotated secret applies to retries too.
        body = encode(delivery.payload)
        headers = {
            "X-Gongzhi-Event": str(delivery.payload.get("type", "")),
            "X-Gongzhi-Delivery": str(delivery.pk),
            "X-Gongzhi-Signature": signature(endpoint.secret, body),
        }
        post_json(endpoint.url, body, headers=headers, timeout=conf.http_timeout())
