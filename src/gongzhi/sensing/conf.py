"""Settings the sensing app reads, with their defaults. Read at call time (not import
time) so that tests and deployments can change them."""

from django.conf import settings


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
