"""A real webhook receiver for tests: an HTTP server on 127.0.0.1 (a free port) in a thread.

Use it from any test package by importing the fixture into that package's conftest.py::

    from tests.notify.webhooks import webhook_receiver  # noqa: F401

    def test_a_dispatch_is_posted(webhook_receiver, settings, django_capture_on_commit_callbacks):
        settings.TASKS = IMMEDIATE  # or leave the DB backend and call webhook_receiver.deliver()
        hook = webhook_receiver.endpoint(event_types="case.*")
        with django_capture_on_commit_callbacks(execute=True):
            ...  # the step that publishes case.dispatch
        (headers, body), = webhook_receiver.requests
        assert webhook_receiver.verify(hook.secret, headers, body)
        assert webhook_receiver.events[0]["type"] == "case.dispatch"

``requests`` holds one ``(headers, body)`` per POST received, headers case-insensitive,
body the raw bytes. ``respond_with(500, 200)`` sets the status of the next requests (then
``default_status``, 200). ``verify`` checks a request the way docs/webhooks.md tells a
receiver to, written here from that page rather than with the app's own code.
"""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils.datastructures import CaseInsensitiveMapping

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def verify(secret: str, headers, body: bytes, *, tolerance: float = 300) -> bool:
    """A receiver's check: the signature over "<timestamp>.<body>" and a recent timestamp."""
    timestamp = headers.get("X-Gongzhi-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(f"sha256={expected}", headers.get("X-Gongzhi-Signature", ""))


class WebhookReceiver:
    """Records every POST and answers with the queued statuses, then ``default_status``."""

    path = "/hooks/gongzhi"

    def __init__(self):
        self.requests: list[tuple[CaseInsensitiveMapping, bytes]] = []
        self.paths: list[str] = []
        self.statuses: list[int] = []
        self.default_status = 200
        self.delay = 0.0  # seconds to wait before answering (a slow receiver)
        self.url = ""
        self._lock = threading.Lock()

    # -- what a test uses ------------------------------------------------------------

    def respond_with(self, *statuses: int) -> None:
        """The statuses of the next requests, in order; ``default_status`` after them."""
        with self._lock:
            self.statuses.extend(statuses)

    @property
    def events(self) -> list[dict]:
        return [json.loads(body) for _, body in self.requests]

    def verify(self, secret: str, headers, body: bytes) -> bool:
        return verify(secret, headers, body)

    def endpoint(self, **fields):
        """A WebhookEndpoint pointing here (needs the database)."""
        from gongzhi.notify.models import WebhookEndpoint

        fields.setdefault("name", "测试接收端")
        return WebhookEndpoint.objects.create(url=self.url, **fields)

    def deliver(self) -> list[str]:
        """Run every due webhook delivery now, as the worker's task does; their outcomes.
        For tests that keep the database task backend instead of the immediate one."""
        from django.db.models import Q
        from django.utils import timezone

        from gongzhi.notify.models import CLAIMABLE, Delivery
        from gongzhi.notify.tasks import deliver

        due = Delivery.objects.filter(
            Q(next_attempt_at__lte=timezone.now()), channel="webhook", status__in=CLAIMABLE
        ).order_by("pk")
        return [deliver.call(pk) for pk in due.values_list("pk", flat=True)]

    # -- the server --------------------------------------------------------------------

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.requests.append((CaseInsensitiveMapping(self.headers.items()), body))
                    receiver.paths.append(self.path)
                    status = (
                        receiver.statuses.pop(0) if receiver.statuses else receiver.default_status
                    )
                if receiver.delay:
                    time.sleep(receiver.delay)
                reply = b'{"ok": true}' if status < 400 else b'{"error": "receiver says no"}'
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def webhook_receiver():
    """A running WebhookReceiver; its ``url`` is the one to give a WebhookEndpoint."""
    receiver = WebhookReceiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver._handler())
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_port}{WebhookReceiver.path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
