"""The MQTT ingester: sensors' readings from the broker into ``alarms.ingest``.

Topic and payload (what a device or its vendor's platform publishes, QoS 1)::

    gongzhi/devices/<device_code>/up
    {"value": 17.2, "at": "2026-12-06T09:00:00+08:00", "sig": "…"}

``at`` is ISO 8601 (without a zone: Beijing time; absent: when it arrived; ahead of the
server's clock: when it arrived). ``sig``, required when ``GONGZHI_SENSING_MQTT_SECRET`` is
set, is the hex HMAC-SHA256 under that secret of ``<device_code>|<at>|<value>`` (``sign``:
the value written as JavaScript's ``String(number)`` does, e.g. ``17`` or ``17.2``). The
prefix is ``GONGZHI_SENSING_MQTT_TOPIC_PREFIX`` and the broker ``GONGZHI_MQTT_URL``
(``mqtt://user:password@host:1883``; ``mqtts://`` for TLS).

No message is lost across a restart: the ingester keeps one persistent session (a fixed
client id, MQTT 5 with ``clean_start`` off and a session that never expires) with QoS 1
subscriptions, so the broker queues what arrives while it is down, and acknowledges a
message only once it is stored (a manual PUBACK after its batch's commit). A message redelivered after a crash between the two is
stored already and counted as a duplicate. Two ingesters need two client ids and a shared
subscription (``$share/<group>/<prefix>/+/up``), never one id.

The broker keeps only so much for a session: Mosquitto's defaults drop a session's messages
past a few hundred queued (``max_queued_messages``, 1,000), so a deployment whose fleet may
report more than that while the ingester is down sets ``max_queued_messages`` (0: no limit)
and ``persistence true`` (a broker restart keeps the queue) in ``mosquitto.conf``.

A broken message (bad JSON, a bad signature, an unknown device, an impossible value) is
counted and logged and never stops the loop; when the broker goes away paho reconnects with
a growing delay (1 s to 60 s). ``Ingester.stats`` holds the counts, logged every minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import queue
import threading
import time
from collections import Counter
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from django.db import DatabaseError, connections
from django.utils import timezone
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from gongzhi.core.db import refresh_connection

from . import alarms, conf

log = logging.getLogger(__name__)

# The counters, in the order they are logged.
COUNTS = (
    "received",
    "stored",
    "raised",
    "cleared",
    "unknown",
    "refused",
    "disabled",
    "duplicate",
    "bad_json",
    "bad_signature",
    "bad_topic",
    "failed",
)
DB_RETRIES = 4  # a database that went away: retry after 1, 2, 4, 8 s, then log and drop


def canonical(value) -> str:
    """A number as JavaScript's ``String(number)`` writes it: ``17``, ``17.2``."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def sign(secret: str, device_code: str, at: str, value) -> str:
    message = f"{device_code}|{at}|{canonical(value)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def payload(device_code: str, value, at: dt.datetime | str, secret: str = "") -> bytes:
    """A device's message (the simulator's and the tests')."""
    at = at if isinstance(at, str) else at.isoformat()
    body = {"value": value, "at": at}
    if secret:
        body["sig"] = sign(secret, device_code, at, value)
    return json.dumps(body).encode()


def broker(url: str) -> dict:
    """Host, port, user, password and TLS from ``mqtt://user:password@host:port``."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
        raise ValueError(f"not an MQTT address: {url!r}")
    tls = parts.scheme in ("mqtts", "ssl")
    return {
        "host": parts.hostname,
        "port": parts.port or (8883 if tls else 1883),
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "tls": tls,
    }


def new_client(
    client_id: str,
    *,
    url: str | None = None,
    clean: bool = False,
    manual_ack: bool = False,
    receive_maximum: int = 0,
) -> paho.Client:
    """A paho 2.x client for ``url`` (default ``conf.mqtt_url``), connecting asynchronously.

    ``receive_maximum`` speaks MQTT 5 and tells the broker how many messages it may send
    ahead of their acknowledgements: an ingester that acknowledges only after its commit
    needs many in flight to fill its batches (3.1.1 leaves that to the broker's
    ``max_inflight_messages``; the bench measured 1,633 readings/s under 3.1.1 and 2,108
    under 5 with 1,000)."""
    where = broker(url or conf.mqtt_url())
    v5 = receive_maximum > 0
    client = paho.Client(
        paho.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=None if v5 else clean,
        protocol=paho.MQTTv5 if v5 else paho.MQTTv311,
        manual_ack=manual_ack,
    )
    if where["username"]:
        client.username_pw_set(where["username"], where["password"])
    if where["tls"]:
        client.tls_set()
    client.reconnect_delay_set(min_delay=1, max_delay=60)
    if v5:
        properties = Properties(PacketTypes.CONNECT)
        properties.ReceiveMaximum = receive_maximum
        # A persistent session as 3.1.1's clean_session=False: kept however long we are away.
        properties.SessionExpiryInterval = 0 if clean else 0xFFFFFFFF
        client.connect_async(
            where["host"], where["port"], keepalive=30, clean_start=clean, properties=properties
        )
    else:
        client.connect_async(where["host"], where["port"], keepalive=30)
    client.where = f"{where['host']}:{where['port']}"
    return client


class Ingester:
    """One persistent MQTT session feeding ``alarms.ingest_many``. ``run()`` blocks (the
    ``listen`` command); ``start()``/``stop()`` run it on paho's own thread (tests).

    paho's thread reads, checks and queues each message; a worker thread stores what is
    queued in batches (one transaction, one commit each: up to BATCH readings or WAIT
    seconds) and only then acknowledges each message (manual PUBACK), so a crash before the
    commit leaves it with the broker. The broker may send AHEAD messages unacknowledged (MQTT
    5's receive maximum), so batches fill under load."""

    BATCH = 500  # at most this many readings a transaction
    WAIT = 0.05  # seconds a batch waits to fill after its first reading (the alarm's delay)
    AHEAD = 1000  # messages the broker may send ahead of our acknowledgements

    def __init__(
        self,
        *,
        url: str | None = None,
        client_id: str | None = None,
        topic_prefix: str | None = None,
        secret: str | None = None,
    ):
        self.prefix = (topic_prefix or conf.mqtt_topic_prefix()).strip("/")
        self.secret = conf.mqtt_secret() if secret is None else secret
        self.stats: Counter = Counter({name: 0 for name in COUNTS})
        self.subscribed = threading.Event()
        self.client = new_client(
            client_id or conf.mqtt_client_id(),
            url=url,
            manual_ack=True,
            receive_maximum=self.AHEAD,
        )
        self.client.on_connect = self._on_connect
        self.client.on_connect_fail = self._on_connect_fail
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self._said_unreachable = False
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._stopping = threading.Event()
        self._worker: threading.Thread | None = None

    @property
    def topic(self) -> str:
        return f"{self.prefix}/+/up"

    # -- running ---------------------------------------------------------------------------

    def run(self) -> None:
        """Until ``stop()`` (or the process ends), reconnecting whenever the broker goes."""
        self._start_worker()
        try:
            self.client.loop_forever(retry_first_connection=True)
        finally:
            self._stop_worker()

    def start(self) -> None:
        self._start_worker()
        self.client.loop_start()

    def stop(self) -> None:
        """Stop without ending the session: the broker keeps queueing for the next start,
        and redelivers what was received but not yet stored."""
        self.client.disconnect()
        self.client.loop_stop()
        self._stop_worker()

    def snapshot(self) -> dict:
        with self._lock:
            return {name: self.stats[name] for name in COUNTS}

    def _count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.stats[name] += n

    def _start_worker(self) -> None:
        self._stopping.clear()
        self._worker = threading.Thread(target=self._work, name="mqtt-ingest", daemon=True)
        self._worker.start()

    def _stop_worker(self) -> None:
        self._stopping.set()
        if self._worker is not None:
            self._worker.join(30)

    # -- paho's callbacks (on its thread) ----------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error("MQTT broker %s refused the connection: %s", client.where, reason_code)
            return
        self._said_unreachable = False
        log.info(
            "connected to MQTT broker %s (session %s)",
            client.where,
            "resumed" if flags.session_present else "new",
        )
        # Subscribed again on every connection: a broker that lost the session (restarted
        # without persistence) would otherwise send nothing.
        client.subscribe(self.topic, qos=1)

    def _on_connect_fail(self, client, userdata):
        if not self._said_unreachable:  # once per outage, not once per retry
            log.warning("cannot reach the MQTT broker at %s: retrying", client.where)
            self._said_unreachable = True

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.subscribed.clear()
        if reason_code.is_failure:
            log.warning("lost the MQTT broker (%s): reconnecting", reason_code)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        if any(code.is_failure for code in reason_codes):
            log.error("the broker refused the subscription to %s: %s", self.topic, reason_codes)
            return
        self.subscribed.set()

    def _on_message(self, client, userdata, message):
        # An exception here would end paho's loop: whatever happens, count it and go on.
        self._count("received")
        try:
            status, reading = self.check(message.topic, message.payload)
        except Exception:
            log.exception("message on %s not understood", message.topic)
            status, reading = "failed", None
        if reading is None:
            self._count(status)
            client.ack(message.mid, message.qos)  # refused for good: nothing to redeliver
        else:
            self._queue.put((message.mid, message.qos, reading))

    # -- one message --------------------------------------------------------------------------

    def check(self, topic: str, body: bytes) -> tuple[str, tuple | None]:
        """``(status, None)`` for a message refused as it stands, else ``("", reading)``
        with the reading ``(device_code, value, at, raw)`` for ``alarms.ingest_many``."""
        parts = topic.split("/")
        if len(parts) < 3 or parts[-1] != "up" or "/".join(parts[:-2]) != self.prefix:
            log.warning("message on unexpected topic %r dropped", topic)
            return "bad_topic", None
        code = parts[-2]
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or "value" not in data:
                raise ValueError("not an object with a value")
            at = self._time(data.get("at"))
        except (ValueError, TypeError, UnicodeDecodeError) as error:
            log.warning("malformed message from %s dropped (%s): %r", code, error, body[:200])
            return "bad_json", None
        if self.secret and not self._signed(code, data):
            log.warning("message from %s with a bad or missing signature dropped", code)
            return "bad_signature", None
        return "", (code, data["value"], at, body[:200])

    def _signed(self, code: str, data: dict) -> bool:
        sig, at = data.get("sig"), data.get("at")
        if not isinstance(sig, str) or not isinstance(at, str):
            return False
        try:
            expected = sign(self.secret, code, at, data["value"])
        except (TypeError, ValueError):
            return False
        return hmac.compare_digest(sig, expected)

    @staticmethod
    def _time(raw) -> dt.datetime:
        now = timezone.now()
        if raw is None:
            return now
        if not isinstance(raw, str):
            raise ValueError("at is not a string")
        at = dt.datetime.fromisoformat(raw)
        if timezone.is_naive(at):
            at = timezone.make_aware(at, timezone.get_default_timezone())
        # A device clock running ahead must not date a reading in the future.
        return min(at, now)

    # -- the worker: batches into the database ------------------------------------------------

    def _work(self) -> None:
        try:
            while not (self._stopping.is_set() and self._queue.empty()):
                try:
                    batch = [self._queue.get(timeout=0.2)]
                except queue.Empty:
                    continue
                # Up to BATCH readings or WAIT seconds, whichever first: one commit for many
                # under load, and no reading waits long when few arrive.
                until = time.monotonic() + self.WAIT
                while len(batch) < self.BATCH:
                    left = until - time.monotonic()
                    try:
                        item = (
                            self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait()
                        )
                    except queue.Empty:
                        break
                    batch.append(item)
                self._store(batch)
        finally:
            connections.close_all()  # this thread's connection

    def _store(self, batch: list) -> None:
        results = self._ingest([reading for _mid, _qos, reading in batch])
        counts: Counter = Counter()
        for result in results:
            if result is None:
                counts["failed"] += 1
            else:
                counts[result.status] += 1
                counts["raised"] += bool(result.raised)
                counts["cleared"] += bool(result.cleared)
        with self._lock:  # once a batch, not three times a reading
            self.stats.update(counts)
        for mid, qos, _reading in batch:
            self.client.ack(mid, qos)

    def _ingest(self, readings: list) -> list:
        """The batch in one transaction; a database gone away is waited for (1, 2, 4, 8 s);
        any other failure falls back to one transaction a reading, so one bad reading does
        not take its batch down with it."""
        for attempt in range(DB_RETRIES + 1):
            try:
                return alarms.ingest_many(readings)
            except DatabaseError:
                if attempt == DB_RETRIES:
                    break
                log.warning("database error on a batch of %s readings: retrying", len(readings))
                time.sleep(2**attempt)
                refresh_connection()
            except Exception:
                break
        return [self._one(reading) for reading in readings]

    @staticmethod
    def _one(reading):
        try:
            return alarms.ingest_many([reading])[0]
        except Exception:
            log.exception("reading of %s dropped: %r", reading[0], reading[3])
            return None


def log_stats(ingester: Ingester, stop: threading.Event, every: float = 60.0) -> None:
    """Log the counters every ``every`` seconds until ``stop`` is set."""
    while not stop.wait(every):
        log.info("mqtt ingester: %s", json.dumps(ingester.snapshot()))
