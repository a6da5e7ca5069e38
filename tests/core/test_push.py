"""Live push: a message reaches the open streams of its topic whose viewer may see it, only
once its step commits, and a reconnecting browser resumes after the last one it had."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction
from django.test import AsyncClient
from django.utils import timezone

from gongzhi import serve
from gongzhi.core import push
from gongzhi.core.models import PushMessage
from gongzhi.regions.models import RegionLevel
from tests.factories import OrganisationFactory, RegionFactory, UserFactory

# The stream's reads run in other threads: what the test writes must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def places():
    county = RegionFactory(level=RegionLevel.COUNTY)
    east = RegionFactory(parent=county)
    west = RegionFactory(parent=county)
    east_unit = OrganisationFactory(regions=[east])
    return {
        "county": county,
        "east": east,
        "west": west,
        "east_user": UserFactory(organisation=east_unit),
        "admin": UserFactory(admin=True),
    }


def read(user, path="/push/sensing", *, headers=None, want=1, seconds=5.0):
    """Open the stream as ``user``; the messages it sends until ``want`` of them arrived
    (or ``seconds`` passed), and every raw chunk."""

    async def go():
        client = AsyncClient()
        if user is not None:
            await client.aforce_login(user)
        response = await client.get(path, headers=headers or {})
        if response.status_code != 200:
            return response, [], []
        chunks, messages = [], []

        async def collect():
            async for chunk in response.streaming_content:
                text = chunk.decode()
                chunks.append(text)
                for block in text.split("\n\n"):
                    lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
                    if "data" in lines:
                        message = json.loads(lines["data"])
                        assert lines["id"] == str(message["id"])
                        messages.append(message)
                if len(messages) >= want:
                    return

        try:
            await asyncio.wait_for(collect(), seconds)
        except TimeoutError:
            pass
        await response.streaming_content.aclose()  # the browser goes: the stream ends
        return response, messages, chunks

    return run(go)


def run(go):
    """``go()`` to its end. Where this thread already runs an event loop (Playwright's sync
    API leaves one in the main thread after a browser test), in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return async_to_sync(go)()
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(async_to_sync(go)).result()


def publish_later(*args, delay=0.6, **kwargs):
    """Publish while the stream is already open (from another thread, committed)."""

    async def later():
        await asyncio.sleep(delay)
        await sync_to_async(push.publish, thread_sensitive=False)(*args, **kwargs)

    return later


def read_while(user, action, **kwargs):
    async def go():
        task = asyncio.ensure_future(action())
        result = await sync_to_async(read, thread_sensitive=False)(user, **kwargs)
        await task
        return result

    return run(go)


def test_anonymous_is_refused():
    response, _, _ = read(None)
    assert response.status_code == 403


def test_a_bad_last_event_id_is_refused(places):
    response, _, _ = read(places["admin"], headers={"Last-Event-ID": "yesterday"})
    assert response.status_code == 400


def test_a_new_message_arrives_on_an_open_stream_within_a_second(places):
    east = places["east"]
    response, messages, chunks = read_while(
        places["east_user"],
        publish_later("sensing", "event.new", {"event": 7}, region_path=east.path),
        want=1,
        seconds=3,
    )
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache"
    assert chunks[0].startswith("retry: ")
    assert [(m["kind"], m["data"]) for m in messages] == [("event.new", {"event": 7})]
    sent = PushMessage.objects.get()
    assert (timezone.now() - sent.at) < timedelta(seconds=3)


def test_a_rolled_back_step_pushes_nothing(places):
    with pytest.raises(RuntimeError), transaction.atomic():
        push.publish("sensing", "event.new", {"event": 1}, region_path=places["east"].path)
        raise RuntimeError("the step failed")
    assert not PushMessage.objects.exists()
    _, messages, _ = read(places["admin"], headers={"Last-Event-ID": "0"}, seconds=1.5)
    assert messages == []


def test_a_message_is_written_only_when_the_step_commits(places):
    with transaction.atomic():
        push.publish("sensing", "alarm.raised", {"alarm": 3})
        assert not PushMessage.objects.exists()
    assert PushMessage.objects.get().data == {"alarm": 3}


def test_a_user_sees_only_the_messages_of_their_scope_and_their_topic(places):
    push.publish("sensing", "event.new", {"n": 1}, region_path=places["east"].path)
    push.publish("sensing", "event.new", {"n": 2}, region_path=places["west"].path)
    push.publish("sensing", "event.new", {"n": 3})  # no place: everyone signed in
    push.publish("cases", "case.new", {"n": 4}, region_path=places["east"].path)
    _, seen, _ = read(places["east_user"], headers={"Last-Event-ID": "0"}, want=3, seconds=1.5)
    assert [m["data"]["n"] for m in seen] == [1, 3]
    _, seen, _ = read(places["admin"], headers={"Last-Event-ID": "0"}, want=3)
    assert [m["data"]["n"] for m in seen] == [1, 2, 3]


def test_case_messages_reach_those_who_govern_the_place_not_a_department_serving_it(places):
    from gongzhi.accounts.models import OrganisationKind

    department = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.DEPARTMENT, regions=[places["east"]])
    )
    township = UserFactory(
        organisation=OrganisationFactory(kind=OrganisationKind.TOWNSHIP, regions=[places["east"]])
    )
    push.publish("cases", "case.new", {"n": 1}, region_path=places["east"].path)
    push.publish("sensing", "event.new", {"n": 2}, region_path=places["east"].path)
    _, seen, _ = read(township, path="/push/cases", headers={"Last-Event-ID": "0"})
    assert [m["data"]["n"] for m in seen] == [1]
    # The department sees the place's sensing events, not every case of it.
    _, seen, _ = read(department, path="/push/cases", headers={"Last-Event-ID": "0"}, seconds=1.5)
    assert seen == []
    _, seen, _ = read(department, headers={"Last-Event-ID": "0"})
    assert [m["data"]["n"] for m in seen] == [2]


def test_last_event_id_resumes_after_the_last_message_received(places):
    for n in range(1, 5):
        push.publish("sensing", "event.new", {"n": n})
    ids = list(PushMessage.objects.values_list("id", flat=True))
    _, seen, _ = read(places["admin"], headers={"Last-Event-ID": str(ids[1])}, want=2)
    assert [m["data"]["n"] for m in seen] == [3, 4]
    # A page drawn after message 3 starts its first stream there (?after=).
    _, seen, _ = read(places["admin"], path=f"/push/sensing?after={ids[2]}", want=1)
    assert [m["data"]["n"] for m in seen] == [4]


def test_a_stream_without_a_start_sends_only_what_is_new(places):
    push.publish("sensing", "event.new", {"n": "old"})
    _, seen, _ = read(places["admin"], seconds=1.2)
    assert seen == []


def test_a_quiet_stream_sends_a_comment_so_proxies_keep_it_open(places, monkeypatch):
    monkeypatch.setattr(push, "HEARTBEAT_SECONDS", 0.4)
    _, messages, chunks = read(places["admin"], seconds=1.5)
    assert messages == []
    assert ": keep-alive\n\n" in chunks


def test_data_that_json_cannot_hold_fails_in_the_step():
    with pytest.raises(TypeError):
        push.publish("sensing", "event.new", {"what": object()})
    with pytest.raises(ValueError):
        push.publish("Sensing Topic", "event.new", {})


def test_pruning_deletes_messages_older_than_a_day():
    push.publish("sensing", "event.new", {"n": 1})
    push.publish("sensing", "event.new", {"n": 2})
    PushMessage.objects.filter(data__n=1).update(at=timezone.now() - timedelta(days=2))
    assert push.prune() == {"pruned": 1}
    assert list(PushMessage.objects.values_list("data__n", flat=True)) == [2]


def test_under_a_sync_server_a_stream_answers_within_its_window(client, places):
    """runserver and the browser tests' server (WSGI): long polling, the browser reconnects."""
    push.publish("sensing", "event.new", {"n": 1})
    client.force_login(places["admin"])

    def body(**headers) -> str:
        # A server's thread has no event loop; the test's may (see ``run``).
        def get():
            response = client.get("/push/sensing", headers=headers)
            return b"".join(response.streaming_content).decode()

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(get).result()

    first = body(**{"Last-Event-ID": "0"})
    assert first.startswith(f"retry: {push.SYNC_RETRY_MS}")
    assert '"n": 1' in first
    # Nothing new: it ends after the window.
    assert body() == f"retry: {push.SYNC_RETRY_MS}\n\n"


# -- served for real: gunicorn with the uvicorn worker, as `gongzhi serve` starts it ----------

BIN = Path(sys.executable).parent / "gongzhi"
# One helper process for the other side (a Django start is slow): it migrates the database
# (a copy of one migrated already: nothing left to apply), signs an administrator in, then
# publishes when told to on its stdin.
OTHER_PROCESS = """
import sys
from django.core.management import call_command
from django.contrib.sessions.backends.db import SessionStore
from gongzhi.accounts.models import User
from gongzhi.core import push
call_command("migrate", verbosity=0, interactive=False)
u = User.objects.create_superuser("pushadmin", "push@example.org", "Gongzhi@Push2026")
s = SessionStore()
s.update({"_auth_user_id": str(u.pk), "_auth_user_hash": u.get_session_auth_hash(),
          "_auth_user_backend": "django.contrib.auth.backends.ModelBackend"})
s.create()
print("SESSION", s.session_key, flush=True)
sys.stdin.readline()
push.publish("sensing", "event.new", {"event": 42})
print("PUBLISHED", flush=True)
"""


def test_the_asgi_worker_streams_what_another_process_publishes(migrated_var):
    # The superuser's session is made by hand, without the second sign-in step: two-step
    # sign-in is off in these processes (the stream is what is tested here).
    env = dict(
        os.environ,
        GONGZHI_VAR_DIR=str(migrated_var),
        GONGZHI_SECRET_KEY="test-push",
        GONGZHI_2FA="off",
    )
    env.pop("DATABASE_URL", None)  # its own SQLite file: two processes share it
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Both start at once: the web server needs the database only when asked.
    other = subprocess.Popen(
        [BIN, "shell", "-c", OTHER_PROCESS],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    web = subprocess.Popen(
        serve.processes("127.0.0.1", port, 1)[0],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        said = iter(other.stdout.readline, "")
        session = next(line for line in said if line.startswith("SESSION ")).split()[1]
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.25)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/push/sensing", headers={"Cookie": f"sessionid={session}"}
        )
        with urllib.request.urlopen(request, timeout=10) as stream:
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            assert stream.readline().startswith(b"retry: ")
            other.stdin.write("go\n")
            other.stdin.flush()
            assert next(said).strip() == "PUBLISHED"
            published = time.monotonic()
            lines = [stream.readline() for _ in range(3)]  # blank, id, data
            waited = time.monotonic() - published
        message = json.loads(next(x for x in lines if x.startswith(b"data: "))[6:])
        assert (message["kind"], message["data"]) == ("event.new", {"event": 42})
        assert waited < 2, f"arrived {waited:.2f}s after it was published"
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)
        other.kill()
        other.wait()
