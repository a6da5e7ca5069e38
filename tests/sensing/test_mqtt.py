"""The MQTT ingester against a real broker (Mosquitto at 127.0.0.1:1883): a tilt published
becomes a case; malformed and badly signed messages are counted and change nothing; an
ingester stopped while devices publish loses none of their messages.

Each test has its own client ids and topic prefix, so parallel runs never cross. The
ingester runs on paho's thread and writes through its own connection: transactional tests.
"""

import os
import socket
import time
import uuid
from types import SimpleNamespace

import pytest
from django.db import OperationalError
from django.utils import timezone

from gongzhi.cases.choices import Channel
from gongzhi.cases.models import Case
from gongzhi.sensing import mqtt
from gongzhi.sensing.models import Alarm, Reading

BROKER = "mqtt://127.0.0.1:1883"

pytestmark = pytest.mark.django_db(transaction=True)


def _reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 1883), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def broker():
    if not _reachable():
        message = "no MQTT broker at 127.0.0.1:1883: start one with `mosquitto -p 1883 -d`"
        if os.environ.get("GONGZHI_REQUIRE_MQTT"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def prefix():
    return f"test-{uuid.uuid4().hex[:12]}/devices"


@pytest.fixture
def ingesters(prefix):
    started = []

    def start(*, client_id=None, secret="") -> mqtt.Ingester:
        ingester = mqtt.Ingester(
            url=BROKER,
            client_id=client_id or f"test-ingester-{uuid.uuid4().hex[:12]}",
            topic_prefix=prefix,
            secret=secret,
        )
        ingester.start()
        started.append(ingester)
        assert ingester.subscribed.wait(10), "the ingester did not subscribe"
        return ingester

    yield start
    for ingester in started:
        ingester.stop()


@pytest.fixture
def publish(prefix):
    client = mqtt.new_client(f"test-device-{uuid.uuid4().hex[:12]}", url=BROKER, clean=True)
    client.loop_start()
    deadline = time.monotonic() + 10
    while not client.is_connected() and time.monotonic() < deadline:
        time.sleep(0.02)

    def send(code: str, body: bytes) -> None:
        info = client.publish(f"{prefix}/{code}/up", body, qos=1)
        info.wait_for_publish(10)  # the broker has it (PUBACK): it is the broker's to keep

    yield send
    client.disconnect()
    client.loop_stop()


def wait_for(check, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except OperationalError:
            # The test database (SQLite in memory, shared cache) locks a table outright
            # while the ingester's batch writes it: ask again.
            pass
        time.sleep(0.05)
    return check()


def test_a_tilt_published_becomes_an_urgent_case(sns, ingesters, publish):
    ingester = ingesters()
    now = timezone.now()
    for i, value in enumerate([17.2, 18.0]):  # two in a row: the cover's debounce
        at = now - timezone.timedelta(seconds=2 - i)
        publish(sns.cover.code, mqtt.payload(sns.cover.code, value, at))
    assert wait_for(lambda: Case.objects.filter(channel=Channel.SENSOR).exists())
    case = Case.objects.get(channel=Channel.SENSOR)
    assert case.is_urgent and case.category.code == "G02.01"
    assert Alarm.objects.get().case_number == case.number
    assert wait_for(lambda: ingester.stats["raised"] == 1)
    assert ingester.snapshot()["stored"] == 2


def test_malformed_and_badly_signed_messages_are_counted_and_change_nothing(
    sns, ingesters, publish
):
    ingester = ingesters(secret="s3cret")
    code = sns.cover.code
    at = timezone.now().isoformat()
    publish(code, b"{not json")
    publish(code, b'"just a string"')
    publish(code, mqtt.payload(code, 40, at, secret="wrong secret"))
    publish(code, mqtt.payload(code, 40, at))  # no signature at all
    publish("no-such-device", mqtt.payload("no-such-device", 40, at, secret="s3cret"))
    publish(code, mqtt.payload(code, 99, at, secret="s3cret"))  # past the 0–90° a cover reads
    publish(code, mqtt.payload(code, 3.5, at, secret="s3cret"))  # the one good message
    assert wait_for(lambda: ingester.stats["stored"] == 1)  # the last one, handled
    assert ingester.stats["received"] == 7
    stats = ingester.snapshot()
    assert stats["bad_json"] == 2 and stats["bad_signature"] == 2
    assert stats["unknown"] == 1 and stats["refused"] == 1 and stats["stored"] == 1
    assert stats["failed"] == 0
    assert list(Reading.objects.values_list("value", flat=True)) == [3.5]
    assert not Case.objects.exists() and not Alarm.objects.exists()


@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_an_ingester_down_while_devices_publish_loses_nothing(sns, ingesters, publish, how):
    client_id = f"test-ingester-{uuid.uuid4().hex[:12]}"
    first = ingesters(client_id=client_id)
    if how == "stopped":
        first.stop()  # a clean goodbye: its session stays with the broker
    else:
        # A crash: the loop ends and the connection drops without a goodbye.
        first.client.loop_stop()
        first.client.socket().close()
    code = sns.cover.code
    start = timezone.now() - timezone.timedelta(minutes=30)
    values = [2.0] * 10 + [30.0, 31.0] + [2.5] * 8  # a tilt in the middle: one alarm
    for i, value in enumerate(values):
        publish(code, mqtt.payload(code, value, start + timezone.timedelta(seconds=i)))
    assert not Reading.objects.exists()  # nobody listening
    second = ingesters(client_id=client_id)  # restarted: the broker hands over the queue
    assert wait_for(lambda: Reading.objects.count() == len(values))
    assert wait_for(lambda: second.stats["stored"] == len(values))
    stored = sorted(Reading.objects.values_list("value", flat=True))
    assert stored == sorted(values)
    alarm = Alarm.objects.get()
    assert alarm.cleared_at is not None  # the eight normal readings after it cleared it
    assert Case.objects.filter(number=alarm.case_number, channel=Channel.SENSOR).exists()


def test_a_backlog_is_stored_in_large_batches_each_acknowledged_after_its_commit(
    sns, ingesters, publish, prefix, monkeypatch
):
    from django.db import transaction

    from gongzhi.sensing import alarms

    sizes, in_transaction = [], []
    real_ingest_many = alarms.ingest_many

    def ingest_many(readings):
        sizes.append(len(readings))
        return real_ingest_many(readings)

    monkeypatch.setattr(mqtt.alarms, "ingest_many", ingest_many)
    client_id = f"test-ingester-{uuid.uuid4().hex[:12]}"
    ingesters(client_id=client_id).stop()
    code = sns.cover.code
    start = timezone.now() - timezone.timedelta(minutes=30)
    for i in range(120):
        publish(code, mqtt.payload(code, 2.0, start + timezone.timedelta(seconds=i)))
    second = mqtt.Ingester(url=BROKER, client_id=client_id, topic_prefix=prefix)
    real_ack = second.client.ack

    def ack(mid, qos):
        in_transaction.append(transaction.get_connection().in_atomic_block)
        return real_ack(mid, qos)

    monkeypatch.setattr(second.client, "ack", ack)
    second.start()
    try:
        assert wait_for(lambda: second.stats["stored"] == 120)
    finally:
        second.stop()
    # A backlog goes in large batches (the broker sends many ahead of their acks), each
    # acknowledged only once its transaction is over.
    assert max(sizes) > 20 and sum(sizes) == 120
    assert len(in_transaction) == 120 and not any(in_transaction)
    assert Reading.objects.count() == 120


def test_the_simulator_publishes_what_the_ingester_counts(sns, ingesters, prefix, settings):
    import io
    import json

    from django.core.management import call_command

    from tests.sensing.factories import DeviceFactory

    settings.GONGZHI_SENSING_MQTT_TOPIC_PREFIX = prefix
    DeviceFactory(grid=sns.grid, owner=sns.cgj, type=sns.types.device("water_level"))
    ingester = ingesters()
    out = io.StringIO()
    call_command(
        "sensing",
        "simulate",
        "--seconds",
        "2",
        "--rate",
        "7200",
        "--faults",
        "0.3",
        "--seed",
        "7",
        stdout=out,
    )
    counts = json.loads(out.getvalue().strip().splitlines()[-1])
    assert counts["devices"] == 2 and counts["sent"] > 4
    assert wait_for(
        lambda: ingester.stats["received"] == counts["sent"] + counts.get("malformed", 0)
    )
    assert wait_for(lambda: ingester.stats["stored"] == counts["sent"])
    assert ingester.stats["bad_json"] == counts.get("malformed", 0)
    assert Reading.objects.count() == counts["sent"]


@pytest.fixture
def own_broker():
    """A Mosquitto of this test's own, on a free port, to stop and start again."""
    import shutil
    import subprocess

    if not shutil.which("mosquitto"):
        pytest.skip("mosquitto is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    running = []

    def start():
        running.append(
            subprocess.Popen(
                ["mosquitto", "-p", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        assert wait_for(lambda: _listening(port), 10), "mosquitto did not start"

    def stop():
        running[-1].terminate()
        running[-1].wait(10)

    start()
    yield SimpleNamespace(url=f"mqtt://127.0.0.1:{port}", start=start, stop=stop)
    for process in running:
        if process.poll() is None:
            process.terminate()
            process.wait(10)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def test_the_ingester_reconnects_when_the_broker_restarts(sns, own_broker, prefix, caplog):
    ingester = mqtt.Ingester(
        url=own_broker.url, client_id=f"test-ingester-{uuid.uuid4().hex[:12]}", topic_prefix=prefix
    )
    ingester.start()
    try:
        assert ingester.subscribed.wait(10)
        code = sns.cover.code

        def send(value, at):
            client = mqtt.new_client(f"test-device-{uuid.uuid4().hex[:8]}", url=own_broker.url)
            client.loop_start()
            assert wait_for(client.is_connected, 10)
            client.publish(f"{prefix}/{code}/up", mqtt.payload(code, value, at), qos=1)
            client.disconnect()
            client.loop_stop()

        start = timezone.now() - timezone.timedelta(minutes=5)
        send(2.0, start)
        assert wait_for(lambda: Reading.objects.count() == 1)
        own_broker.stop()  # a broker restarted without persistence forgets the session …
        assert wait_for(lambda: not ingester.subscribed.is_set(), 10)
        own_broker.start()
        assert ingester.subscribed.wait(30)  # … so the ingester subscribes again itself
        send(2.5, start + timezone.timedelta(minutes=1))
        assert wait_for(lambda: Reading.objects.count() == 2)
        assert "lost the MQTT broker" in caplog.text
    finally:
        ingester.stop()


def test_listen_says_when_it_cannot_reach_the_broker_and_keeps_trying(db, settings, caplog):
    import io
    import json
    import signal
    import threading

    from django.core.management import call_command

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.GONGZHI_MQTT_URL = f"mqtt://127.0.0.1:{port}"
    # SIGTERM is how a process manager stops it: sent here after a few retries.
    threading.Timer(3.0, os.kill, (os.getpid(), signal.SIGTERM)).start()
    out = io.StringIO()
    call_command("sensing", "listen", "--client-id", f"test-{uuid.uuid4().hex[:8]}", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert f"127.0.0.1:{port}" in lines[0]
    assert json.loads(lines[-2])["received"] == 0
    assert "cannot reach the MQTT broker" in caplog.text
