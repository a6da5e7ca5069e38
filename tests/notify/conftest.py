"""Fixtures: users, task backends, a real HTTP receiver on 127.0.0.1 (random port) for the
SMS gateway, and ``webhook_receiver`` (tests/notify/webhooks.py, importable elsewhere)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count

import pytest
from django.contrib.auth import get_user_model

from tests.notify.webhooks import IMMEDIATE, webhook_receiver  # noqa: F401 - a fixture

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

_numbers = count(1)


@pytest.fixture
def make_user(db):
    def make(**fields):
        n = next(_numbers)
        fields.setdefault("username", f"user{n}")
        fields.setdefault("mobile", f"1380000{n:04d}")
        fields.setdefault("email", f"user{n}@example.test")
        return get_user_model().objects.create_user(password=None, **fields)

    return make


@pytest.fixture
def immediate_tasks(settings):
    # Runs a task as soon as it is queued (i.e. on commit); cannot defer retries.
    settings.TASKS = IMMEDIATE


@pytest.fixture
def db_tasks(settings):
    # The project's default: tasks are rows a db_worker picks up; supports run_after.
    settings.TASKS = DATABASE


@pytest.fixture(autouse=True)
def quick_notify_settings(settings):
    settings.GONGZHI_SMS_GATEWAY_URL = ""
    settings.GONGZHI_NOTIFY_HTTP_TIMEOUT = 5
    settings.GONGZHI_NOTIFY_MAX_ATTEMPTS = 3
    settings.GONGZHI_NOTIFY_BACKOFF_SECONDS = 60


class Receiver:
    """Records every POST; answers with queued statuses, then ``default_status``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.default_status = 200
        self.delay = 0.0
        self.lock = threading.Lock()
        self.url = ""

    def handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers.items()),
                            "body": body,
                            "json": json.loads(body or b"null"),
                        }
                    )
                    status = (
                        receiver.statuses.pop(0) if receiver.statuses else receiver.default_status
                    )
                if receiver.delay:
                    time.sleep(receiver.delay)
                reply = b'{"ok": true}' if status < 400 else b'{"error": "gateway broken"}'
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
def receiver():
    rec = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), rec.handler())
    server.daemon_threads = True
    rec.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()


@pytest.fixture
def sms_gateway(receiver, settings):
    settings.GONGZHI_SMS_GATEWAY_URL = receiver.url + "/sms/send"
    return receiver
