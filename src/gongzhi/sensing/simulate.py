"""Device traffic for the demo (``gongzhi sensing simulate``): every enabled device reports
over MQTT at its heartbeat (sped up ``rate`` times), values around normal with a little
noise, and now and then a fault:

* ``past``: a reading past the limit for a few readings in a row (a manhole cover tilted past
  15°, water rising past the warning level, smoke, gas, a hydrant losing pressure), then
  back to normal: one alarm, one case, then cleared;
* ``silent``: the device says nothing for a while (offline on the next tick);
* ``malformed``: one message that is not JSON (the ingester counts it and goes on).

It also plays the video platform's keep-alive for the cameras (GB/T 28181: every 60 s):
every enabled camera is heard from each minute except the demo's broken ones (one in
``BROKEN_ONE_IN`` by its serial, as the demo loads them), so the working rate stays what the
demo means it to be however long the platform runs.

Messages are published with QoS 1, signed when ``GONGZHI_SENSING_MQTT_SECRET`` is set.
"""

from __future__ import annotations

import heapq
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from . import conf, mqtt
from .choices import Comparison
from .models import Camera, Device

log = logging.getLogger(__name__)

FAULTS = ("past", "silent", "malformed")
KEEP_ALIVE_SECONDS = 60.0
BROKEN_ONE_IN = 33  # the demo's cameras whose serial is a multiple of this are broken
CAMERAS = -1  # the keep-alive's place in the queue


def is_broken(code: str) -> bool:
    """A demo camera that stays offline: its serial (last six digits) a multiple of 33."""
    serial = code[-6:]
    return serial.isdigit() and int(serial) % BROKEN_ONE_IN == 0


def keep_cameras_alive(now=None) -> int:
    """Every enabled camera that is not broken is heard from now (and online again)."""
    now = now or timezone.now()
    codes = Camera.objects.filter(enabled=True).values_list("pk", "code")
    working = [pk for pk, code in codes if not is_broken(code)]
    done = 0
    for start in range(0, len(working), 900):  # SQLite's limit on a statement's parameters
        chunk = working[start : start + 900]
        done += Camera.objects.filter(pk__in=chunk).update(last_seen_at=now, offline_since=None)
    return done


@dataclass
class Simulated:
    code: str
    normal: float
    noise: float
    past: float  # a value well past the limit
    low: float | None
    high: float | None
    every: float  # seconds between reports, sped up
    debounce: int
    fault: str = ""
    left: int = 0  # readings (or silent turns) of the fault still to come
    sent: Counter = field(default_factory=Counter)

    def value(self, rng: random.Random) -> float | None:
        """The next reading, or None for a silent turn (or "bad" for a malformed one)."""
        if self.fault and self.left > 0:
            self.left -= 1
            fault = self.fault
            if self.left == 0:
                self.fault = ""
            if fault == "silent":
                return None
            if fault == "past":
                return self._clamp(self.past + rng.uniform(0, self.noise))
        return self._clamp(self.normal + rng.gauss(0, self.noise))

    def _clamp(self, value: float) -> float:
        if self.low is not None:
            value = max(self.low, value)
        if self.high is not None:
            value = min(self.high, value)
        return round(value, 2)


def simulated(device: Device, rate: float) -> Simulated:
    kind = device.type
    limit = device.limit
    low, high = kind.valid_min, kind.valid_max
    span = (high if high is not None else limit * 2) - (low if low is not None else 0)
    if kind.comparison == Comparison.ABOVE:
        normal = (low or 0) + (limit - (low or 0)) * 0.3
        past = limit + ((high if high is not None else limit * 2) - limit) * 0.3
    else:
        normal = limit * 3 if high is None else min(limit * 3, (limit + high) / 2)
        past = limit * 0.4
    return Simulated(
        code=device.code,
        normal=normal,
        noise=max(span * 0.01, 0.0) if kind.comparison == Comparison.ABOVE else limit * 0.1,
        past=past,
        low=low,
        high=high,
        every=max(kind.heartbeat_seconds / max(rate, 0.001), 0.05),
        debounce=max(kind.debounce, 1),
    )


def run(
    *,
    devices: int = 0,
    rate: float = 60.0,
    seconds: float = 0.0,
    faults: float = 0.02,
    seed: int | None = None,
    client=None,
    stop=None,
    cameras: bool = False,
) -> dict:
    """Publish until ``seconds`` have passed (0: until interrupted or ``stop`` is set).
    ``faults`` is the chance that a report starts a fault; ``cameras``: also keep the
    cameras alive. Returns the counts sent."""
    rng = random.Random(seed)
    chosen = Device.objects.filter(enabled=True).select_related("type").order_by("pk")
    chosen = list(chosen[:devices] if devices else chosen)
    if not chosen:
        return {"devices": 0, "sent": 0}
    fleet = [simulated(device, rate) for device in chosen]
    prefix = conf.mqtt_topic_prefix().strip("/")
    secret = conf.mqtt_secret()
    own = client is None
    if own:
        client = mqtt.new_client(f"gongzhi-simulator-{rng.randrange(1 << 30)}", clean=True)
        client.loop_start()
    # Each device starts at a random point of its first heartbeat, as real ones do.
    now = time.monotonic()
    queue = [(now + rng.uniform(0, d.every), i) for i, d in enumerate(fleet)]
    if cameras:
        queue.append((now, CAMERAS))
    heapq.heapify(queue)
    counts: Counter = Counter()
    pending: list = []
    ends = now + seconds if seconds else None
    try:
        while queue and not (stop is not None and stop.is_set()):
            due, i = heapq.heappop(queue)
            if ends is not None and due > ends:
                break
            time.sleep(max(0.0, due - time.monotonic()))
            if i == CAMERAS:
                counts["camera_keep_alive"] += keep_cameras_alive()
                heapq.heappush(queue, (due + KEEP_ALIVE_SECONDS, i))
                continue
            device = fleet[i]
            _maybe_fault(device, rng, faults, counts)
            heapq.heappush(queue, (due + device.every, i))
            if device.fault == "malformed":
                device.fault, device.left = "", 0
                pending.append(client.publish(f"{prefix}/{device.code}/up", b"{not json", qos=1))
                counts["malformed"] += 1
                continue
            value = device.value(rng)
            if value is None:
                counts["silent"] += 1
                continue
            body = mqtt.payload(device.code, value, timezone.localtime(), secret)
            pending.append(client.publish(f"{prefix}/{device.code}/up", body, qos=1))
            counts["sent"] += 1
            if len(pending) > 1000:  # keep only what the broker has not acknowledged yet
                pending = [info for info in pending if not info.is_published()]
    except KeyboardInterrupt:
        pass
    finally:
        # QoS 1 means the broker has each message: wait for the last ones' acknowledgements
        # before hanging up, or a short run loses what it sent in its last moments.
        for info in pending:
            try:
                info.wait_for_publish(5)
            except (RuntimeError, ValueError):  # never queued (no broker): nothing to wait for
                break
        if own:
            client.disconnect()
            client.loop_stop()
    return {"devices": len(fleet), **counts}


def _maybe_fault(device: Simulated, rng: random.Random, chance: float, counts: Counter) -> None:
    if device.fault or rng.random() >= chance:
        return
    device.fault = rng.choice(FAULTS)
    if device.fault == "past":
        device.left = device.debounce + rng.randint(0, 2)  # enough in a row to raise it
    elif device.fault == "silent":
        device.left = rng.randint(3, 6)
    counts[f"fault_{device.fault}"] += 1
    log.info("simulated fault %s on device %s", device.fault, device.code)
