"""The notify app's public API. Other apps call these functions and nothing else.

    notify(recipients=..., kind="case.dispatched", title=..., channels=("in_app", "sms"))
    notify_organisation_heads(organisation=unit, kind="case.supervised", title=...)
    publish_event(type="case.close", data={"id": "HD-…", "before": {...}, "after": {...}})
    publish_events([Event(type=..., data=..., occurred_at=...), ...])
    send_test_event(endpoint=hook)

In-app rows are written in the caller's transaction. External sends become Delivery
rows whose tasks are queued only when that transaction commits: a rolled-back case
sends nobody an SMS, and the worker never looks for a row that does not exist yet.
"""

import json
import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from . import conf, sending, tasks
from .channels import Message, get_channel
from .models import CLAIMABLE, Delivery, DeliveryStatus, Notification, WebhookEndpoint

logger = logging.getLogger(__name__)

KIND_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$")


@dataclass
class Notified:
    notifications: list[Notification] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)


# ---- sending -------------------------------------------------------------------------


def notify(
    *,
    recipients,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    data: dict | None = None,
    channels: Iterable[str] = ("in_app",),
) -> Notified:
    """Notify users on the given channels ("in_app", "sms", "email").

    ``recipients``: users, user ids or a user queryset; inactive users are left out and
    each person is notified once. Pass text already in the recipient's language.
    A channel that is not configured, or a user without a phone number / e-mail, gives
    a Delivery with status ``skipped`` and the reason, visible in the admin.
    """
    item = Item(recipients=recipients, kind=kind, title=title, body=body, link=link, data=data)
    return notify_each([item], channels=channels)


@dataclass
class Item:
    """One message for ``notify_each``: the arguments of ``notify`` but the channels."""

    recipients: object
    kind: str
    title: str
    body: str = ""
    link: str = ""
    data: dict | None = None


def notify_each(items: list[Item], *, channels: Iterable[str] = ("in_app",)) -> Notified:
    """``notify`` for many messages at once (a batch of cases, each to its own people): one
    read of all their recipients and one insert of all their rows, whatever the count."""
    codes = list(dict.fromkeys(channels))
    picked = [get_channel(code) for code in codes]  # ValueError on an unknown code
    if not all(ch.per_recipient for ch in picked):
        raise ValueError("webhooks are not per-recipient: use publish_event()")
    messages = []
    for item in items:
        _check_kind(item.kind)
        title = (item.title or "").strip()
        if not title or len(title) > 200:
            raise ValueError("a notification needs a title of 1 to 200 characters")
        _check_link(item.link)
        data = _jsonable(item.data or {})
        messages.append(
            Message(kind=item.kind, title=title, body=item.body, link=item.link, data=data)
        )
    # A queryset stays a query (read once, as it is); everything else is read in one go.
    listed = [_ids(item.recipients) for item in items]
    wanted = set().union(*(ids for ids in listed if ids is not None))
    known = {u.pk: u for u in _users(wanted)} if wanted else {}
    people = [
        _users(item.recipients) if ids is None else [known[i] for i in sorted(ids) if i in known]
        for item, ids in zip(items, listed, strict=True)
    ]
    now = timezone.now()
    result = Notified()
    if not any(people):
        return result  # no transaction: on SQLite even an empty one takes the write lock

    with transaction.atomic():
        by_user: dict[tuple[int, int], Notification] = {}
        if "in_app" in codes:
            pairs = [(n, user) for n, users in enumerate(people) for user in users]
            result.notifications = Notification.objects.bulk_create(
                Notification(
                    recipient=user,
                    kind=messages[n].kind,
                    title=messages[n].title,
                    body=messages[n].body,
                    link=messages[n].link,
                    data=messages[n].data,
                    created_at=now,
                )
                for n, user in pairs
            )
            by_user = {
                (n, user.pk): row
                for (n, user), row in zip(pairs, result.notifications, strict=True)
            }
        rows = []
        for channel in (ch for ch in picked if ch.queued):
            configured = channel.is_configured()
            for n, users in enumerate(people):
                payload = channel.build_payload(messages[n])
                for user in users:
                    target = channel.target_for(user)
                    reason = (
                        ""
                        if configured and target
                        else f"channel {channel.code} is not configured"
                        if not configured
                        else f"recipient has no address for {channel.code}"
                    )
                    rows.append(
                        _delivery(
                            now,
                            channel=channel.code,
                            target=target,
                            payload=payload,
                            skip=reason,
                            notification=by_user.get((n, user.pk)),
                            recipient=user,
                        )
                    )
        result.deliveries = Delivery.objects.bulk_create(rows)
        _queue_after_commit(result.deliveries)
    return result


@dataclass
class PhoneText:
    """One SMS for ``text_phones``: to a number that belongs to no account."""

    phone: str
    kind: str
    title: str
    body: str = ""
    link: str = ""


def text_phones(items: list[PhoneText]) -> list[Delivery]:
    """SMS to phone numbers without an account (a hotline caller's), one Delivery each,
    sent after the caller's transaction commits and retried like any other. Nothing at all
    while no SMS gateway is configured: a row per hotline call, each skipped, would bury the
    deliveries that matter. Pass text already in Chinese. A site path as the link is sent
    whole (GONGZHI_SITE_URL before it), or left out while the site's address is unknown: a
    phone cannot open it."""
    channel = get_channel("sms")
    if not channel.is_configured():
        return []
    now = timezone.now()
    rows = []
    for item in items:
        _check_kind(item.kind)
        _check_link(item.link)
        if not item.phone or not item.title.strip():
            raise ValueError("a text needs a phone number and a title")
        link = "" if item.link.startswith("/") and not conf.site_url() else item.link
        message = Message(kind=item.kind, title=item.title.strip(), body=item.body, link=link)
        payload = channel.build_payload(message)
        rows.append(_delivery(now, channel="sms", target=item.phone, payload=payload))
    if not rows:
        return []
    with transaction.atomic():
        deliveries = Delivery.objects.bulk_create(rows)
        _queue_after_commit(deliveries)
    return deliveries


def organisation_heads(organisation):
    """The unit's heads; failing that its leaders. 督办 must reach someone in charge."""
    from gongzhi.accounts.models import Membership

    members = Membership.objects.filter(organisation=organisation, user__is_active=True)
    heads = members.filter(is_head=True)
    if not heads.exists():
        heads = members.filter(role="leader")
    return get_user_model().objects.filter(pk__in=heads.values("user_id"))


def notify_organisation_heads(
    *,
    organisation,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    data: dict | None = None,
    channels: Iterable[str] = ("in_app",),
) -> Notified:
    """notify() the heads of ``organisation`` (its leaders when no head is marked)."""
    heads = organisation_heads(organisation)
    if not heads.exists():
        # Nobody to tell is a data problem an administrator must fix, not a quiet no-op.
        logger.warning("organisation %s has no head or leader to notify of %s", organisation, kind)
    return notify(
        recipients=heads,
        kind=kind,
        title=title,
        body=body,
        link=link,
        data=data,
        channels=channels,
    )


# ---- events out (webhooks) -------------------------------------------------------------

EVENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
# An event is a notice of a change, not a document store: a bigger one is a caller's bug.
MAX_EVENT_BYTES = 256 * 1024
PING = "ping"


@dataclass(frozen=True)
class Event:
    """One event for ``publish_events``: the arguments of ``publish_event``."""

    type: str
    data: dict
    occurred_at: datetime | None = None
    id: str | None = None


def publish_event(
    *,
    type: str,  # noqa: A002 - the event's "type", as receivers see it
    data: dict,
    occurred_at: datetime | None = None,
    event_id: str | None = None,
) -> list[Delivery]:
    """Send one event to every enabled webhook endpoint subscribed to its type.

    ``type``: ``<domain>.<action>``, e.g. ``case.dispatch`` (letters, digits, ``_ . : -``;
    endpoints subscribe with shell patterns such as ``case.*``). ``data``: a dict that
    JSON can carry (dates, times, decimals and UUIDs become text, as DjangoJSONEncoder
    writes them); for a workflow step::

        {"id": "HD-20261206-000042",           # the case number
         "before": {"state": "accepted", ...},  # the changed fields before the step
         "after": {"state": "dispatched", ...}, # ... and after it
         "actor": ..., "note": ...}

    ``occurred_at``: when it happened (aware; sent in UTC), now if not given.
    ``event_id``: a stable id, when the caller may publish the same event twice (a
    replayed batch) and wants receivers to see one; a new UUID if not given.

    Each endpoint is POSTed this body (UTF-8 JSON), byte for byte the same on every retry::

        {"id": "6f1d…", "type": "case.dispatch",
         "occurred_at": "2026-12-06T02:03:04.000005+00:00", "data": {...}}

    with the headers X-Gongzhi-Event (the type), X-Gongzhi-Delivery (the id: receivers
    drop ids they have seen), X-Gongzhi-Timestamp and X-Gongzhi-Signature
    (``sha256=`` + hex HMAC-SHA256 of ``b"<timestamp>." + body`` with the endpoint's
    secret); docs/webhooks.md is the receiver's guide. Events are not ordered: a retried
    one may arrive after a later one.

    Call it in or after the transaction that made the change: the Delivery rows are
    written in the caller's transaction and sent after it commits, retried with backoff
    (``sending.py``), and listed on the endpoint's admin page. With no enabled endpoint
    subscribed it writes nothing and costs one short read. Raises ValueError or TypeError
    on a bad event, whether or not any endpoint is configured.
    """
    return publish_events([Event(type=type, data=data, occurred_at=occurred_at, id=event_id)])


def publish_events(items: Iterable[Event | Mapping]) -> list[Delivery]:
    """``publish_event`` for a batch: ``Event`` objects, or mappings with the keys ``type``,
    ``data`` and optionally ``occurred_at`` and ``id``. Every event is checked first (one
    bad event publishes none), then one read of the enabled endpoints and one insert of
    every delivery, whatever the batch's size. Returns the deliveries, event by event."""
    events = [_event(item) for item in items]
    if not events:
        return []
    # Endpoints are a handful of admin-edited rows: one read, patterns matched in Python.
    # No transaction is opened until there is something to write (on SQLite even an empty
    # one takes the write lock).
    endpoints = list(
        WebhookEndpoint.objects.filter(enabled=True).only("pk", "url", "event_types", "enabled")
    )
    now = timezone.now()
    rows = [
        _delivery(
            now,
            channel="webhook",
            target=endpoint.url,
            payload=event,
            endpoint=endpoint,
            event_id=event["id"],
        )
        for event in events
        for endpoint in endpoints
        if endpoint.subscribes_to(event["type"])
    ]
    if not rows:
        return []
    with transaction.atomic():
        deliveries = Delivery.objects.bulk_create(rows)
        _queue_after_commit(deliveries)
    return deliveries


def send_test_event(*, endpoint: WebhookEndpoint, wait: bool = True) -> Delivery:
    """The administrator's "send a test event": a ``ping`` to this one endpoint, whatever
    it subscribes to, signed, logged and retried like any event.

    ``wait``: try it at once, in this process, and return the delivery with its outcome
    (the admin shows it); a failure is then retried like any other. Otherwise it is queued
    after commit. ValueError for a disabled endpoint: it is sent nothing.
    """
    if not endpoint.enabled:
        raise ValueError(f"webhook endpoint {endpoint} is disabled")
    event = _event(Event(type=PING, data={"endpoint": {"id": endpoint.pk, "name": endpoint.name}}))
    delivery = _delivery(
        timezone.now(),
        channel="webhook",
        target=endpoint.url,
        payload=event,
        endpoint=endpoint,
        event_id=event["id"],
    )
    if wait:
        delivery.queued_at = None  # not on the queue: sent here, below
    with transaction.atomic():
        delivery.save()
        if not wait:
            _queue_after_commit([delivery])
    if wait:
        sending.attempt(delivery.pk)
        delivery.refresh_from_db()
    return delivery


# ---- retries -------------------------------------------------------------------------


def retry_due(*, limit: int = 1000) -> int:
    """Queue deliveries that are due and not already queued; return how many.

    Idempotent, so cron may run it beside the worker: a delivery counts as queued for
    GONGZHI_NOTIFY_REQUEUE_AFTER_SECONDS, after which its task is presumed lost.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=conf.requeue_after_seconds())
    due = Q(status__in=CLAIMABLE, next_attempt_at__lte=now) & (
        Q(queued_at__isnull=True) | Q(queued_at__lte=stale)
    )
    ids = Delivery.objects.filter(due).order_by("next_attempt_at").values_list("pk", flat=True)
    queued = 0
    for pk in list(ids[:limit]):
        # Mark first, conditionally, so two overlapping runs queue a delivery once.
        if Delivery.objects.filter(due, pk=pk).update(queued_at=now):
            if tasks.enqueue(pk):
                queued += 1
            else:
                Delivery.objects.filter(pk=pk).update(queued_at=None)
    return queued


def stuck_sending() -> models.QuerySet:
    """Deliveries claimed long ago and never finished (a worker died mid-send)."""
    since = timezone.now() - timedelta(seconds=conf.requeue_after_seconds())
    return Delivery.objects.filter(status=DeliveryStatus.SENDING, last_attempt_at__lt=since)


def retry_now(*, deliveries: models.QuerySet) -> int:
    """Administrator's "retry now": failed, dead or stuck deliveries get one more try at once.

    A dead delivery is allowed exactly one more attempt; a stuck one is sent again,
    which the administrator accepts may duplicate it. Returns how many were queued.
    """
    now = timezone.now()
    eligible = Q(status__in=[DeliveryStatus.FAILED, DeliveryStatus.DEAD]) | Q(
        pk__in=stuck_sending().values("pk")
    )
    with transaction.atomic():
        ids = list(deliveries.filter(eligible).values_list("pk", flat=True))
        Delivery.objects.filter(eligible, pk__in=ids).update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
            queued_at=now,
            max_attempts=Greatest(F("max_attempts"), F("attempts") + 1),
        )
        rows = list(Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING))
        _queue_after_commit(rows)
    return len(rows)


# ---- the inbox -----------------------------------------------------------------------


def inbox(*, user) -> models.QuerySet:
    """The user's own notifications, unread first, newest first."""
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return (
        Notification.objects.for_user(user)
        .annotate(unread=unread)
        .order_by("-unread", "-created_at", "-id")
    )


def unread_count(*, user) -> int:
    return Notification.objects.for_user(user).unread().count()


def mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; Notification.DoesNotExist if not theirs."""
    mine = Notification.objects.for_user(user)
    mine.filter(pk=notification_id, read_at__isnull=True).update(read_at=timezone.now())
    return mine.get(pk=notification_id)


def mark_all_read(*, user) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


# ---- helpers -------------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    if not isinstance(kind, str) or not KIND_RE.match(kind):
        raise ValueError(f"event type must look like 'case.dispatched', got {kind!r}")


def _check_link(link: str) -> None:
    # Rendered as a link in the inbox: only site paths and http(s) URLs, never javascript:.
    if link and not (
        (link.startswith("/") and not link.startswith("//"))
        or re.match(r"^https?://", link, re.IGNORECASE)
    ):
        raise ValueError(f"a link must be a site path or an http(s) URL, got {link!r}")
    if len(link) > 500:
        raise ValueError("a link may have at most 500 characters")


def _event(item: Event | Mapping) -> dict:
    """Check one event and give the body its endpoints are sent (less the encoding)."""
    if isinstance(item, Mapping):
        unknown = set(item) - {"type", "data", "occurred_at", "id"}
        if unknown:
            raise ValueError(f"unknown event keys: {sorted(unknown)}")
        item = Event(**item)
    elif not isinstance(item, Event):
        raise TypeError(f"an event is an Event or a mapping, got {type(item).__name__}")
    _check_kind(item.type)
    if not isinstance(item.data, Mapping):
        raise TypeError(f"event data must be a dict, got {type(item.data).__name__}")
    occurred_at = item.occurred_at or timezone.now()
    if not isinstance(occurred_at, datetime) or timezone.is_naive(occurred_at):
        raise ValueError("occurred_at must be an aware datetime")
    event_id = str(uuid.uuid4()) if item.id is None else item.id
    if not isinstance(event_id, str) or not EVENT_ID_RE.match(event_id):
        raise ValueError(f"an event id is 1 to 64 letters, digits or ._:-, got {event_id!r}")
    event = {
        "id": event_id,
        "type": item.type,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(),
        "data": _jsonable(dict(item.data)),
    }
    if len(json.dumps(event, ensure_ascii=False).encode("utf-8")) > MAX_EVENT_BYTES:
        raise ValueError(f"event {item.type} is larger than {MAX_EVENT_BYTES} bytes")
    return event


def _jsonable(data) -> dict:
    # Store what a JSON reader gets back (dates as ISO text), and fail here, at the caller.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _ids(recipients) -> set | None:
    """The ids of listed recipients (users or ids); None for a queryset."""
    if isinstance(recipients, models.QuerySet):
        return None
    if isinstance(recipients, get_user_model()):
        recipients = [recipients]
    return {getattr(r, "pk", r) for r in recipients}


def _users(recipients) -> list:
    User = get_user_model()
    if isinstance(recipients, models.QuerySet):
        users = recipients
    else:
        users = User.objects.filter(pk__in=_ids(recipients))
    return list(users.filter(is_active=True).distinct().order_by("pk"))


def _delivery(now, *, channel, target, payload, skip="", **links) -> Delivery:
    return Delivery(
        channel=channel,
        target=target,
        payload=payload,
        status=DeliveryStatus.SKIPPED if skip else DeliveryStatus.PENDING,
        last_error=skip,
        max_attempts=conf.max_attempts(),
        next_attempt_at=None if skip else now,
        queued_at=None if skip else now,
        created_at=now,
        **links,
    )


def _queue_after_commit(deliveries: list[Delivery]) -> None:
    ids = [d.pk for d in deliveries if d.status == DeliveryStatus.PENDING]
    if ids:
        # robust: a broken queue must not break the caller's request after its commit;
        # the rows stay pending and `notify retry` queues them again.
        transaction.on_commit(lambda: [tasks.enqueue(pk) for pk in ids], robust=True)
