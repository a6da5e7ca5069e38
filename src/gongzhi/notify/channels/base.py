"""The channel plug-in contract: a subclass with a ``code`` registers itself.

Adding a channel (WeCom, DingTalk, ...) is one module with one subclass, imported
from ``channels/__init__.py``; nothing else in the app changes.
"""

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..conf import site_url


class DeliveryError(Exception):
    """The send failed but may succeed later (network, 5xx, timeout): retry with backoff.

    ``status`` is the HTTP status the other end answered with, when it answered at all.
    """

    def __init__(self, message: str = "", *, status: int | None = None):
        super().__init__(message)
        self.status = status


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help (rejected request, endpoint gone): give up at once."""


class SkipDelivery(Exception):  # noqa: N818 - an outcome, not an error
    """There is nothing to send any more (channel unconfigured, endpoint disabled)."""


@dataclass(frozen=True, kw_only=True)
class Message:
    """What a per-recipient channel turns into its payload."""

    kind: str
    title: str
    body: str = ""
    link: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def absolute_link(self) -> str:
        # SMS and e-mail leave the site, so a relative link needs the site's address.
        if self.link.startswith("/") and site_url():
            return site_url() + self.link
        return self.link


_REGISTRY: dict[str, type["Channel"]] = {}


class Channel:
    code: ClassVar[str] = ""
    # Queued channels send from the task worker after commit; in-app writes in the transaction.
    queued: ClassVar[bool] = True
    # Per-recipient channels take part in notify(); the webhook channel serves publish_event().
    per_recipient: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.code:
            _REGISTRY[cls.code] = cls

    def is_configured(self) -> bool:
        return True

    def target_for(self, user) -> str:
        """The user's address on this channel, or "" when they have none."""
        return ""

    def build_payload(self, message: Message) -> dict:
        return {}

    def send(self, delivery) -> int | None:
        """Send one delivery; raise DeliveryError (or PermanentDeliveryError) on failure.

        Returns the HTTP status the other end answered with, for channels that speak HTTP.
        """
        raise NotImplementedError


def get_channel(code: str) -> Channel:
    try:
        return _REGISTRY[code]()
    except KeyError:
        raise ValueError(f"unknown notification channel {code!r}") from None


def channel_codes() -> list[str]:
    return sorted(_REGISTRY)
