"""Live push: a step publishes a message, every open page of that topic whose viewer may
see it receives it within about a second (server-sent events).

``publish(topic, kind, data, region_path=...)`` writes a ``PushMessage`` row when the
step's transaction commits, so a step rolled back pushes nothing. ``stream`` is the async
view a page's ``EventSource`` opens (``static/gongzhi/push.js``): it sends the topic's new
messages whose ``region_path`` lies in the viewer's scope (an empty path: everyone signed
in), each with its ``id`` so a reconnecting browser resumes after the last one it had
(``Last-Event-ID``).

The table is the bus, so any number of web processes on SQLite or PostgreSQL see every
message with no broker. One poller per process and event loop asks the table for its
newest id every ``POLL_SECONDS``; a stream queries only when that changes, and no stream
holds a database connection between its queries. Messages are pruned after a day
(``prune``, a periodic job).

Under a sync (WSGI) server, which would give a stream a whole thread for ever, a stream
answers within ``SYNC_WINDOW_SECONDS`` and the browser reconnects at once: long polling,
for ``runserver`` and the test server. Production serves it from an ASGI worker (``serve``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import weakref
from collections.abc import Callable
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max, Q
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone

from .models import PushMessage
from .scope import Scope, scope_for

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15
RETRY_MS = 3000
SYNC_WINDOW_SECONDS = 1.0
SYNC_RETRY_MS = 300
BATCH = 200
KEEP = timedelta(days=1)

NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,39}$")


def publish(topic: str, kind: str, data: dict, *, region_path: str = "") -> None:
    """Queue a live message for after the current transaction commits (at once outside
    one). ``data`` holds ids and short display fields only: never personal data or a
    stream address, since every viewer of ``region_path`` receives it."""
    if not NAME.match(topic) or not NAME.match(kind):
        raise ValueError(f"bad push topic or kind: {topic!r} {kind!r}")
    # Serialised now, so a value JSON cannot hold fails in the step, not after its commit.
    payload = json.loads(json.dumps(data, cls=DjangoJSONEncoder))

    def write():
        PushMessage.objects.create(
            topic=topic, kind=kind, data=payload, region_path=region_path or ""
        )

    # robust: a push that cannot be written is logged and does not stop the step's other
    # effects (its case, its notifications) that run on the same commit.
    transaction.on_commit(write, robust=True)


def prune(*, now=None) -> dict:
    """Delete messages older than a day (a reconnecting page needs minutes, not days)."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = PushMessage.objects.filter(at__lt=cutoff).delete()
    return {"pruned": deleted}


# -- reading ---------------------------------------------------------------------------------


# Per topic, the viewer's paths a message must lie in (default: the regions the viewer
# serves). Cases are seen where the viewer governs: a department serves a county but may
# not watch every case of it (``Scope.territory_paths``). An app registers its topic when
# it is ready; core names no app.
_PATHS: dict[str, Callable[[Scope], tuple[str, ...]]] = {}


def register_topic(topic: str, *, paths: Callable[[Scope], tuple[str, ...]]) -> None:
    _PATHS[topic] = paths


def visible_q(scope: Scope, topic: str = "") -> Q:
    if scope.everything:
        return Q()
    condition = Q(region_path="")
    paths = _PATHS.get(topic, lambda scope: scope.region_paths)(scope)
    for path in paths:
        condition |= Q(region_path__startswith=path)
    return condition


def _release() -> None:
    # A stream lives for hours: give its connection back between queries (Django's own
    # cleanup runs only when a request ends). Never inside a transaction (a test's).
    if not connection.in_atomic_block:
        connection.close()


def newest_id() -> int:
    """The newest message id, for a page to start its stream after (``data-push-after``)."""
    return PushMessage.objects.aggregate(top=Max("id"))["top"] or 0


def _top() -> int:
    try:
        return newest_id()
    finally:
        _release()


def _fetch(topic: str, after: int, condition: Q) -> list[dict]:
    rows = (
        PushMessage.objects.filter(condition, topic=topic, id__gt=after)
        .order_by("id")
        .values("id", "topic", "kind", "data", "at")[:BATCH]
    )
    return list(rows)


def _fetch_and_release(topic: str, after: int, condition: Q) -> list[dict]:
    try:
        return _fetch(topic, after, condition)
    finally:
        _release()


def _frame(row: dict) -> str:
    body = json.dumps(
        {
            "id": row["id"],
            "topic": row["topic"],
            "kind": row["kind"],
            "data": row["data"],
            "at": row["at"].isoformat(),
        },
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )
    return f"id: {row['id']}\ndata: {body}\n\n"


class _Hub:
    """Watches the table's newest id for every stream of one event loop (one query per
    ``POLL_SECONDS`` however many pages are open), and wakes them when it moves."""

    def __init__(self):
        self.top = 0
        self.changed = asyncio.Event()
        self.listeners = 0
        self.task: asyncio.Task | None = None

    def join(self) -> None:
        self.listeners += 1
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    def leave(self) -> None:
        self.listeners -= 1

    async def wait_beyond(self, known: int, timeout: float) -> None:
        """Return once the newest id differs from ``known`` or after ``timeout``."""
        if self.top != known:
            return
        try:
            await asyncio.wait_for(self.changed.wait(), timeout=max(timeout, 0))
        except TimeoutError:
            pass

    async def _run(self) -> None:
        while self.listeners > 0:
            try:
                top = await sync_to_async(_top, thread_sensitive=False)()
            except Exception:
                log.exception("push: polling the message table failed")
            else:
                if top != self.top:
                    self.top = top
                    changed, self.changed = self.changed, asyncio.Event()
                    changed.set()
            await asyncio.sleep(POLL_SECONDS)


_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _hub() -> _Hub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = _Hub()
    return hub


async def _events(topic: str, after: int, condition: Q):
    hub = _hub()
    hub.join()
    try:
        yield f"retry: {RETRY_MS}\n\n"
        quiet_since = time.monotonic()
        while True:
            known = hub.top  # read before the query: a message committed during it wakes us
            rows = await sync_to_async(_fetch_and_release)(topic, after, condition)
            for row in rows:
                yield _frame(row)
                after = row["id"]
            if rows:
                quiet_since = time.monotonic()
                if len(rows) == BATCH:
                    continue
            elif time.monotonic() - quiet_since >= HEARTBEAT_SECONDS:
                yield ": keep-alive\n\n"  # a comment: proxies see traffic, pages see nothing
                quiet_since = time.monotonic()
            await hub.wait_beyond(known, HEARTBEAT_SECONDS - (time.monotonic() - quiet_since))
    finally:
        hub.leave()


def _events_sync(topic: str, after: int, condition: Q):
    yield f"retry: {SYNC_RETRY_MS}\n\n"
    deadline = time.monotonic() + SYNC_WINDOW_SECONDS
    while True:
        rows = _fetch(topic, after, condition)
        if rows:
            yield "".join(_frame(row) for row in rows)
            return
        if time.monotonic() >= deadline:
            return
        time.sleep(POLL_SECONDS / 2)


def _start(request) -> int | None:
    """The id to send after: the browser's Last-Event-ID on a reconnect, else ``?after=``
    (the newest id when the page was drawn), else none (from now on)."""
    text = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


async def stream(request, topic: str):
    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse(status=403)
    if not NAME.match(topic):
        return HttpResponseBadRequest("unknown topic")
    try:
        after = _start(request)
    except ValueError:
        return HttpResponseBadRequest("Last-Event-ID and after must be message ids")
    scope = await sync_to_async(scope_for)(user)
    # Off the event loop: a topic's paths may read the database (community's patrols).
    condition = await sync_to_async(visible_q)(scope, topic)
    if after is None:
        after = await sync_to_async(_top)()
    if isinstance(request, ASGIRequest):
        body = _events(topic, after, condition)
    else:
        body = _events_sync(topic, after, condition)
    response = StreamingHttpResponse(body, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each message on, do not buffer
    return response
