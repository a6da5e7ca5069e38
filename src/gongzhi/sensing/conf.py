"""Settings the sensing app reads, with their defaults. Read at call time (not import
time) so that tests and deployments can change them."""

import os

from django.conf import settings


def _setting(name: str, default: str) -> str:
    # The broker's settings are a deployment's, so the environment may give them too.
    value = getattr(settings, name, None)
    return str(value if value is not None else os.environ.get(name, default))


def camera_offline_after_seconds() -> int:
    # A camera silent this long is offline: platforms poll or receive keep-alives every
    # minute or so (GB/T 28181 keep-alive: 60 s, three missed = offline).
    return int(getattr(settings, "GONGZHI_SENSING_CAMERA_OFFLINE_SECONDS", 180))


def device_offline_grace() -> float:
    # A device is offline once silent for its type's heartbeat times this: a little room
    # for a late report, so that a device reporting on the dot does not flap.
    return float(getattr(settings, "GONGZHI_SENSING_DEVICE_OFFLINE_GRACE", 1.5))


def working_rate_target() -> float:
    # 雪亮工程 asks that at least 98% of the cameras work.
    return float(getattr(settings, "GONGZHI_SENSING_WORKING_RATE_TARGET", 0.98))


def readings_keep_all_hours() -> float:
    # Every reading of the last day is kept (an alarm's curve, minute by minute); older
    # history is thinned to one reading per device per bucket.
    return float(getattr(settings, "GONGZHI_SENSING_READINGS_KEEP_ALL_HOURS", 24))


def readings_bucket_minutes() -> int:
    return int(getattr(settings, "GONGZHI_SENSING_READINGS_BUCKET_MINUTES", 10))


def readings_sweep_hours() -> float:
    # How far behind the keep-all line each sweep looks: the watcher ticks every minute, so
    # a few hours covers a watcher that was down for a while without rescanning years.
    return float(getattr(settings, "GONGZHI_SENSING_READINGS_SWEEP_HOURS", 6))


def camera_case_after_minutes() -> float:
    # A camera offline this long becomes one maintenance case for its owner.
    return float(getattr(settings, "GONGZHI_SENSING_CAMERA_CASE_AFTER_MINUTES", 60))


def camera_case_category() -> str:
    # 治安隐患 / 治安监控缺失 of the governance scheme (taxonomy ``governance.csv``): a
    # camera that does not work is a gap in the watch, and its owner must repair it.
    return str(getattr(settings, "GONGZHI_SENSING_CAMERA_CASE_CATEGORY", "G03.05"))


def mqtt_url() -> str:
    return _setting("GONGZHI_MQTT_URL", "mqtt://127.0.0.1:1883")


def mqtt_secret() -> str:
    # When set, every message must carry its HMAC-SHA256 (``mqtt.sign``); empty: unsigned.
    return _setting("GONGZHI_SENSING_MQTT_SECRET", "")


def mqtt_client_id() -> str:
    # Fixed, so that the broker keeps the session (and the messages queued while the
    # ingester was down) for the next start. Two ingesters side by side need two ids, or
    # one shared subscription: see ``mqtt``.
    return _setting("GONGZHI_SENSING_MQTT_CLIENT_ID", "gongzhi-ingester")


def mqtt_topic_prefix() -> str:
    return _setting("GONGZHI_SENSING_MQTT_TOPIC_PREFIX", "gongzhi/devices")
