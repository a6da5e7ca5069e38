"""One attempt at one delivery: claim it, send it, record the outcome, schedule a retry.

Outcomes: 2xx is ``sent``; a refused request (a 4xx other than 408, 425 and 429, a URL
that is not http(s), a deleted endpoint) is ``dead`` at once; anything else (5xx, 408,
425, 429, a redirect, a timeout, a refused connection) is ``failed`` and tried again after
``backoff()``, until ``max_attempts`` is reached. The last HTTP status is recorded.
"""

import logging
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from . import conf
from .channels import DeliveryError, PermanentDeliveryError, SkipDelivery, get_channel
from .models import CLAIMABLE, Delivery, DeliveryStatus

logger = logging.getLogger(__name__)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones: base, 2×base, 4×base …"""
    seconds = conf.backoff_seconds() * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, conf.backoff_max_seconds()))


def claim(delivery_id: int, now) -> bool:
    # A conditional UPDATE is atomic on every database: of two workers holding the same
    # task (a retry job re-queued it, a broker redelivered it) exactly one wins.
    claimed = Delivery.objects.filter(
        pk=delivery_id, status__in=CLAIMABLE, next_attempt_at__lte=now
    ).update(
        status=DeliveryStatus.SENDING,
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        queued_at=None,
    )
    return claimed == 1


def attempt(delivery_id: int) -> str:
    """Try to send; return the delivery's new status (or "not-claimed")."""
    if not claim(delivery_id, timezone.now()):
        return "not-claimed"  # already sent, being sent, given up, or not due yet
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    try:
        channel = get_channel(delivery.channel)
        if not channel.is_configured():
            raise SkipDelivery(f"channel {delivery.channel} is not configured")
        code = channel.send(delivery)
    except SkipDelivery as e:
        return _finish(delivery, DeliveryStatus.SKIPPED, error=str(e))
    except (PermanentDeliveryError, ValueError) as e:
        logger.warning("delivery %s failed permanently: %s", delivery_id, e)
        return _finish(delivery, DeliveryStatus.DEAD, error=str(e), code=_status_of(e))
    except Exception as e:
        logger.warning("delivery %s failed (attempt %s): %s", delivery_id, delivery.attempts, e)
        return _failed(delivery, str(e) or type(e).__name__, code=_status_of(e))
    return _finish(delivery, DeliveryStatus.SENT, sent_at=timezone.now(), code=code)


def _status_of(error: Exception) -> int | None:
    return error.status if isinstance(error, DeliveryError) else None


def _finish(
    delivery: Delivery, status: str, *, error: str = "", sent_at=None, code: int | None = None
) -> str:
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=status,
        last_error=error[:2000],
        next_attempt_at=None,
        sent_at=sent_at,
        response_code=code,
    )
    return status


def _failed(delivery: Delivery, error: str, *, code: int | None = None) -> str:
    if delivery.attempts >= delivery.max_attempts:
        return _finish(delivery, DeliveryStatus.DEAD, error=error, code=code)
    from . import tasks  # tasks imports this module

    next_at = timezone.now() + backoff(delivery.attempts)
    deferred = tasks.can_defer()
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.FAILED,
        last_error=error[:2000],
        response_code=code,
        next_attempt_at=next_at,
        # Without a deferring backend nothing is queued: `notify retry` sends it when due.
        queued_at=next_at if deferred else None,
    )
    if deferred and not tasks.enqueue(delivery.pk, run_after=next_at):
        Delivery.objects.filter(pk=delivery.pk).update(queued_at=None)
    return DeliveryStatus.FAILED
