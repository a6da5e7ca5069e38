"""Sensing (issue 26): sensors' readings over MQTT, on SQLite and on PostgreSQL (when one
answers at BENCH_PG_URL), against the real broker at GONGZHI_MQTT_URL (default
mqtt://127.0.0.1:1883).

For each database a fresh platform (a process of its own) gets the 海东 demo places and
units and DEVICES manhole covers spread over the grids. Then, in that process:

* **baseline**: one normal reading of every device through ``alarms.ingest`` called
  directly (no broker): readings per second.
* **batch**: one more normal reading of every device through ``alarms.ingest_many``, BATCH
  readings a call (the ingester's way under load, without the broker): readings per second.
* **mqtt**: one more reading of every device published at QoS 1 to the broker and taken by
  the ingester (``mqtt.Ingester``, on paho's thread, as ``gongzhi sensing listen`` runs it),
  the devices publishing from a process of their own: readings per second from the first
  publish to the last reading stored, and how many were lost (published and acknowledged by
  the broker, never stored). The publisher keeps at most
  ``--window`` messages ahead of the ingester: a broker drops what passes its queue limit
  for a session (this machine's Mosquitto 2.0.11 with its defaults lost ~360 of 10,000 at a
  window of 500 and none at 200), so a burst is bounded by the broker's limit, not ours.
* **latency**: SAMPLES covers tilted past 15° twice in a row (their debounce), one after
  another: from the publish of the second reading to the case's row (its ``created_at``),
  p50 and p95; beside it, the same through ``ingest`` directly (the raising call's time).

When ``bench/_sensing_video.py`` exists (the video watcher's bench), its ``run(args)`` sections
are merged in. Prints one JSON object.

    python bench/sensing.py [--devices 10000] [--samples 100] [--window 100] [--batch 500]
        [--databases sqlite,postgresql] [--sections mqtt,video]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from _child import child_env, run_child
from _postgres import drop_postgres, postgres_database

ROOT = Path(__file__).resolve().parent.parent
BROKER = os.environ.get("GONGZHI_MQTT_URL", "mqtt://127.0.0.1:1883")


def broker_reachable() -> str | None:
    parts = urlsplit(BROKER)
    try:
        socket.create_connection((parts.hostname, parts.port or 1883), timeout=2).close()
    except OSError as error:
        return f"no MQTT broker at {BROKER}: {error}"
    return None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


# -- the child: one database -------------------------------------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def prepare(devices: int) -> list:
    """Migrate, load the demo places and units, and register DEVICES covers over the grids."""
    from django.core.management import call_command
    from django.utils import timezone
    from shapely.geometry import shape

    from gongzhi.accounts.models import Organisation
    from gongzhi.demo import accounts, regions
    from gongzhi.regions.models import Grid
    from gongzhi.sensing.models import Device, DeviceType

    call_command("migrate", verbosity=0, interactive=False)
    regions.load()
    accounts.load()
    grids = list(Grid.objects.filter(is_active=True).select_related("community"))
    owner = Organisation.objects.filter(is_active=True).order_by("pk").first()
    cover = DeviceType.objects.get(code="manhole_cover")
    now = timezone.now()
    rows, points = [], {}
    for i in range(devices):
        grid = grids[i % len(grids)]
        if grid.pk not in points:
            inside = shape(grid.boundary).representative_point()
            points[grid.pk] = (inside.x, inside.y)
        lng, lat = points[grid.pk]
        rows.append(
            Device(
                code=f"bench-{i:06d}",
                name=f"井盖{i:06d}",
                type=cover,
                region=grid.community,
                grid=grid,
                region_path=grid.region_path,
                lng=lng,
                lat=lat,
                owner=owner,
                last_seen_at=now,
            )
        )
    Device.objects.bulk_create(rows, batch_size=1000)
    return [row.code for row in rows]


def baseline(codes: list[str], at) -> dict:
    from gongzhi.sensing import alarms

    started = time.perf_counter()
    stored = sum(alarms.ingest(code, 3.0, at).ok for code in codes)
    seconds = time.perf_counter() - started
    return {
        "readings": len(codes),
        "stored": stored,
        "seconds": round(seconds, 2),
        "readings_per_s": round(len(codes) / seconds),
    }


def batched(codes: list[str], at, size: int) -> dict:
    from gongzhi.sensing import alarms

    readings = [(code, 3.0, at, None) for code in codes]
    started = time.perf_counter()
    stored = 0
    for i in range(0, len(readings), size):
        stored += sum(result.ok for result in alarms.ingest_many(readings[i : i + size]))
    seconds = time.perf_counter() - started
    return {
        "readings": len(codes),
        "batch": size,
        "stored": stored,
        "seconds": round(seconds, 2),
        "readings_per_s": round(len(codes) / seconds),
    }


def publish_all(prefix: str, codes: list[str], at, window: int, received, go, report) -> None:
    """The devices (a process of their own, as they are other machines: publishing in the
    ingester's process would take its core): QoS 1, at most ``window`` ahead of the
    ingester. Puts how many the broker acknowledged."""
    from gongzhi.sensing import mqtt

    publisher = mqtt.new_client(f"bench-pub-{uuid.uuid4().hex[:8]}", url=BROKER, clean=True)
    publisher.loop_start()
    while not publisher.is_connected():
        time.sleep(0.01)
    go.wait()
    acked = []
    for i, code in enumerate(codes):
        while i - received.value >= window:
            time.sleep(0.001)
        acked.append(publisher.publish(f"{prefix}/{code}/up", mqtt.payload(code, 3.0, at), qos=1))
    for info in acked:
        info.wait_for_publish(30)
    report.put(sum(info.is_published() for info in acked))
    publisher.disconnect()
    publisher.loop_stop()


def over_mqtt(codes: list[str], at, window: int) -> dict:
    import multiprocessing
    import threading

    from gongzhi.sensing import mqtt
    from gongzhi.sensing.models import Reading

    prefix = f"bench-{uuid.uuid4().hex[:8]}/devices"
    # Forked before the ingester's threads start; the child never touches the database.
    fork = multiprocessing.get_context("fork")
    received, go, report = fork.Value("q", 0), fork.Event(), fork.Queue()
    devices = fork.Process(
        target=publish_all, args=(prefix, codes, at, window, received, go, report), daemon=True
    )
    devices.start()
    ingester = mqtt.Ingester(
        url=BROKER, client_id=f"bench-ingester-{uuid.uuid4().hex[:8]}", topic_prefix=prefix
    )
    ingester.start()
    if not ingester.subscribed.wait(10):
        devices.kill()
        return {"error": "the ingester did not subscribe"}
    before = Reading.objects.count()
    done = threading.Event()

    def relay():  # the ingester's count, for the devices' window
        while not done.wait(0.001):
            received.value = ingester.stats["received"]

    threading.Thread(target=relay, daemon=True).start()
    started = time.perf_counter()
    go.set()
    deadline = time.monotonic() + 120
    while ingester.stats["stored"] < len(codes) and time.monotonic() < deadline:
        time.sleep(0.005)
    seconds = time.perf_counter() - started
    done.set()
    stored = Reading.objects.count() - before
    acknowledged = report.get(timeout=60)
    devices.join(30)
    ingester.stop()
    return {
        "readings": len(codes),
        "acknowledged_by_broker": acknowledged,
        "stored": stored,
        "lost": len(codes) - stored,
        "seconds": round(seconds, 2),
        "readings_per_s": round(stored / seconds),
        "window": window,
    }


def latency(codes: list[str], samples: int) -> dict:
    """Alarm to case over MQTT, and through ``ingest`` directly, one cover after another."""
    from django.utils import timezone

    from gongzhi.cases.models import Case
    from gongzhi.sensing import alarms, mqtt
    from gongzhi.sensing.models import Alarm

    direct = []
    for code in codes[:samples]:
        alarms.ingest(code, 30.0, timezone.now())
        started = time.perf_counter()
        result = alarms.ingest(code, 31.0, timezone.now())
        direct.append(time.perf_counter() - started)
        assert result.case_number, "no case"
    prefix = f"bench-{uuid.uuid4().hex[:8]}/devices"
    ingester = mqtt.Ingester(
        url=BROKER, client_id=f"bench-ingester-{uuid.uuid4().hex[:8]}", topic_prefix=prefix
    )
    ingester.start()
    ingester.subscribed.wait(10)
    publisher = mqtt.new_client(f"bench-pub-{uuid.uuid4().hex[:8]}", url=BROKER, clean=True)
    publisher.loop_start()
    while not publisher.is_connected():
        time.sleep(0.01)
    over = []
    lost = 0
    for code in codes[samples : 2 * samples]:
        publisher.publish(f"{prefix}/{code}/up", mqtt.payload(code, 30.0, timezone.now()), qos=1)
        sent_at = timezone.now()
        publisher.publish(f"{prefix}/{code}/up", mqtt.payload(code, 31.0, sent_at), qos=1)
        deadline = time.monotonic() + 10
        number = ""
        while not number and time.monotonic() < deadline:
            time.sleep(0.002)
            number = (
                Alarm.objects.filter(device__code=code)
                .exclude(case_number="")
                .values_list("case_number", flat=True)
                .first()
            )
        if not number:
            lost += 1
            continue
        created = Case.objects.filter(number=number).values_list("created_at", flat=True).get()
        over.append((created - sent_at).total_seconds())
    ingester.stop()
    publisher.disconnect()
    publisher.loop_stop()
    return {
        "samples": samples,
        "mqtt_publish_to_case_ms": {
            "p50": ms(statistics.median(over)) if over else None,
            "p95": ms(percentile(over, 95)) if over else None,
            "no_case": lost,
        },
        "baseline_ingest_to_case_ms": {
            "p50": ms(statistics.median(direct)),
            "p95": ms(percentile(direct, 95)),
        },
    }


def measure_child(opts) -> dict:
    setup_django()
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    codes = prepare(opts.devices)
    out = {"vendor": connection.vendor, "devices": len(codes)}
    out["prepare_s"] = round(time.perf_counter() - started, 1)
    now = timezone.now()
    out["baseline"] = baseline(codes, now - dt.timedelta(minutes=2))
    out["batch"] = batched(codes, now - dt.timedelta(seconds=90), opts.batch)
    out["mqtt"] = over_mqtt(codes, now - dt.timedelta(minutes=1), opts.window)
    for name in ("batch", "mqtt"):
        if "readings_per_s" in out[name]:
            out[f"{name}_vs_baseline"] = round(
                out[name]["readings_per_s"] / out["baseline"]["readings_per_s"], 2
            )
    out["latency"] = latency(codes, min(opts.samples, len(codes) // 2))
    return out


# -- the whole run -----------------------------------------------------------------------------


def mqtt_section(opts) -> dict:
    why = broker_reachable()
    if why:
        return {"skipped": why}
    found = {}
    for name in opts.databases.split(","):
        var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-sensing-")
        url = None
        try:
            if name == "postgresql":
                url, reason = postgres_database("gongzhi_bench_sensing")
                if url is None:
                    found[name] = {"skipped": reason}
                    continue
            args = ["--child", "measure", "--devices", str(opts.devices)]
            args += ["--samples", str(opts.samples), "--window", str(opts.window)]
            args += ["--batch", str(opts.batch)]
            found[name] = run_child(
                __file__, args, child_env(url, var_dir, GONGZHI_LOG_LEVEL="ERROR")
            )
        finally:
            if url:
                drop_postgres(url)
            shutil.rmtree(var_dir, ignore_errors=True)
    return found


def video_sections(opts) -> dict:
    """The video watcher's figures (``_sensing_video.py``), when that bench exists."""
    if not (Path(__file__).parent / "_sensing_video.py").exists():
        return {}
    import _sensing_video

    return _sensing_video.run(opts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--batch", type=int, default=500, help="readings an ingest_many call")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sections", default="mqtt,video")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child == "measure":
        print(json.dumps(measure_child(opts), ensure_ascii=False))
        return 0
    sections = opts.sections.split(",")
    result = {"broker": BROKER}
    if "mqtt" in sections:
        result["mqtt"] = mqtt_section(opts)
    if "video" in sections:
        result.update(video_sections(opts))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
