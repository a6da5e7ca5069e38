"""Selectors for the sensing pages, the export, the map and the API.

Every queryset starts from ``<Model>.objects.visible_to(user)`` (the one rule in
``access``), so a list, a record's page, the export, a map layer and an API answer show the
same cameras and devices. A camera's stream address may carry credentials: only
administrators are shown it (``shows_streams``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Organisation, Role
from gongzhi.core.choices import ChoiceSet, Look
from gongzhi.core.errors import ServiceError
from gongzhi.core.scope import scope_for
from gongzhi.regions.models import Grid

from . import conf, services
from .access import access_for
from .choices import EventState
from .models import Alarm, Camera, CameraType, Device, DeviceType, Event, Reading

PER_PAGE = 50
MAX_EXPORT_ROWS = 50_000
RECENT = 20  # events or alarms on a record's page
READINGS_SHOWN = 500  # the newest readings on a device's chart


class Status(ChoiceSet):
    """A camera's or device's working status, from its heartbeats."""

    ONLINE = "online", _("Online"), Look("#059669", order=10)
    OFFLINE = "offline", _("Offline"), Look("#dc2626", order=20)
    DISABLED = "disabled", _("Out of service"), Look("#6b7280", order=30)


def status_of(record) -> str:
    if not record.enabled:
        return Status.DISABLED
    return Status.ONLINE if record.is_online else Status.OFFLINE


def status_q(status: str) -> Q:
    if status == Status.ONLINE:
        return Q(enabled=True, last_seen_at__isnull=False, offline_since__isnull=True)
    if status == Status.OFFLINE:
        return Q(enabled=True) & (Q(last_seen_at__isnull=True) | Q(offline_since__isnull=False))
    if status == Status.DISABLED:
        return Q(enabled=False)
    return Q()


def sees_sensing(user) -> bool:
    """Whether the pages are for the user: administrators and duty staff, and the staff of a
    unit that owns a camera or sensor (a grid worker's committee, a department owning
    nothing, see no page). Kept on the user object, as ``access_for``."""
    access = access_for(user)
    if access.everything or access.duty_paths:
        return True
    if not access.owner_ids:
        return False
    cached = getattr(user, "_gongzhi_sensing_owns", None)
    if cached is None:
        owners = sorted(access.owner_ids)
        cached = (
            Camera.objects.filter(owner_id__in=owners).exists()
            or Device.objects.filter(owner_id__in=owners).exists()
        )
        user._gongzhi_sensing_owns = cached
    return cached


def shows_streams(user) -> bool:
    """Administrators only: a stream address may hold a password."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Role.ADMINISTRATOR in scope_for(user).roles


# -- filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    q: str = ""
    grid_id: int | None = None
    owner_id: int | None = None
    status: str = ""
    type_id: int | None = None
    region_path: str = ""
    state: str = ""  # a device's alarm state


def _filtered(rows, f: Filters):
    if f.q:
        rows = rows.filter(Q(name__icontains=f.q) | Q(code__icontains=f.q))
    if f.grid_id:
        rows = rows.filter(grid_id=f.grid_id)
    if f.owner_id:
        rows = rows.filter(owner_id=f.owner_id)
    if f.type_id:
        rows = rows.filter(type_id=f.type_id)
    if f.region_path:
        rows = rows.filter(region_path__startswith=f.region_path)
    if f.status:
        rows = rows.filter(status_q(f.status))
    return rows


# A region's or grid's boundary is kilobytes of JSON that no list shows.
RELATED = ("type", "owner", "grid", "region")
NOT_SHOWN = ("region__boundary", "grid__boundary")


def cameras(user, f: Filters = Filters()):
    rows = Camera.objects.visible_to(user).select_related(*RELATED).defer(*NOT_SHOWN)
    return _filtered(rows, f).order_by("region_path", "code")


def devices(user, f: Filters = Filters()):
    rows = Device.objects.visible_to(user).select_related(*RELATED).defer(*NOT_SHOWN)
    if f.state:
        rows = rows.filter(state=f.state)
    return _filtered(rows, f).order_by("region_path", "code")


def camera_for(user, pk) -> Camera | None:
    return cameras(user).filter(pk=pk).first()


def device_for(user, pk) -> Device | None:
    return devices(user).filter(pk=pk).first()


def events(user):
    return Event.objects.visible_to(user).select_related("camera", "decided_by")


def alarms(user):
    return Alarm.objects.visible_to(user).select_related("device", "device__type")


def readings(device, limit: int = READINGS_SHOWN) -> list[tuple]:
    """The device's newest readings, oldest first (for a chart)."""
    rows = list(Reading.objects.filter(device=device).values_list("at", "value")[:limit])
    rows.reverse()
    return rows


# -- the filters' choices ----------------------------------------------------------------------


def grids_for(user):
    """The grids holding a camera or device the user sees, and those of the places the user
    serves (where one may be added)."""
    used = Q(pk__in=Camera.objects.visible_to(user).values("grid_id")) | Q(
        pk__in=Device.objects.visible_to(user).values("grid_id")
    )
    access = access_for(user)
    if access.everything:
        return Grid.objects.filter(is_active=True).order_by("code")
    return (
        Grid.objects.filter(is_active=True)
        .filter(used | Q(pk__in=Grid.objects.visible_to(user).values("pk")))
        .order_by("code")
    )


def owners_for(user):
    """The units that may own what the user registers: any, for administrators and duty
    staff (they watch the place, whoever owns it); otherwise the user's own units."""
    access = access_for(user)
    units = Organisation.objects.filter(is_active=True).order_by("path")
    if access.everything or access.duty_paths:
        return units
    return units.filter(pk__in=access.owner_ids)


def camera_types():
    return CameraType.objects.filter(enabled=True)


def device_types():
    return DeviceType.objects.filter(enabled=True)


# -- the map's geometry ------------------------------------------------------------------------

METRES_PER_DEGREE = 111_320.0


def view_polygon(camera: Camera) -> list[list[float]]:
    """The ground a camera sees as a closed ring of [lng, lat]: a wedge from its direction,
    field of view and range, or a circle for one that sees all round (no direction, or a
    field of 360°). Metres to degrees on a sphere: good to a few metres at its range."""
    lng, lat, radius = camera.lng, camera.lat, max(camera.range_m or 0, 1)
    d_lat = radius / METRES_PER_DEGREE
    d_lng = radius / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6))

    def at(bearing: float) -> list[float]:
        b = math.radians(bearing)
        return [round(lng + d_lng * math.sin(b), 6), round(lat + d_lat * math.cos(b), 6)]

    fov = camera.field_of_view or 360
    if camera.direction is None or fov >= 360:
        ring = [at(15 * i) for i in range(24)]
        return [*ring, ring[0]]
    # A point of the arc every 15° or so: smooth at a street's zoom, small over a city.
    steps = max(2, math.ceil(fov / 15))
    start = camera.direction - fov / 2
    arc = [at(start + fov * i / steps) for i in range(steps + 1)]
    centre = [round(lng, 6), round(lat, 6)]
    return [centre, *arc, centre]


# -- figures -----------------------------------------------------------------------------------

FIGURE_DAYS = 30
MAX_FIGURE_DAYS = 366


def _rate(r) -> dict:
    return {
        "key": r.key,
        "name": str(r.name),
        "total": r.total,
        "online": r.online,
        "rate": None if r.rate is None else round(r.rate, 4),
        "meets_target": r.meets_target,
    }


def _rates(result) -> dict:
    return {"rows": [_rate(r) for r in result.rows], "overall": _rate(result.overall)}


def figures(user, *, days: int = FIGURE_DAYS, now=None) -> dict:
    """The sensing figures of what the user sees: working rates per grid and owner against
    the target, events of the last ``days`` by rule and how many were confirmed, alarms by
    device type, the minutes from an event to its case, and how many work now."""
    if not 1 <= days <= MAX_FIGURE_DAYS:
        raise ServiceError(
            "invalid", _("Ask for 1 to %(n)d days.") % {"n": MAX_FIGURE_DAYS}, "days"
        )
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    recent = Event.objects.visible_to(user).filter(at__gte=since)
    by_rule = [
        {
            "rule": row["rule_code"],
            "total": row["total"],
            "confirmed": row["confirmed"],
            "dismissed": row["dismissed"],
        }
        for row in recent.values("rule_code")
        .annotate(
            total=Count("pk"),
            confirmed=Count("pk", filter=Q(state=EventState.CONFIRMED)),
            dismissed=Count("pk", filter=Q(state=EventState.DISMISSED)),
        )
        .order_by("-total", "rule_code")
    ]
    decided = sum(r["confirmed"] + r["dismissed"] for r in by_rule)
    confirmed = sum(r["confirmed"] for r in by_rule)
    # Minutes from what the camera saw to the case: the duty officer's part of "seconds".
    waits = sorted(
        (decided_at - at).total_seconds() / 60
        for at, decided_at in recent.filter(
            state=EventState.CONFIRMED, decided_at__isnull=False
        ).values_list("at", "decided_at")
    )
    alarms_by_type = [
        {"type": row["device__type__name"], "colour": row["device__type__colour"], **row}
        for row in Alarm.objects.visible_to(user)
        .filter(raised_at__gte=since)
        .values("device__type__name", "device__type__colour")
        .annotate(total=Count("pk"), with_case=Count("pk", filter=~Q(case_number="")))
        .order_by("-total")
    ]
    for row in alarms_by_type:
        del row["device__type__name"], row["device__type__colour"]

    def counts(model):
        rows = model.objects.visible_to(user).filter(enabled=True)
        return {"total": rows.count(), "online": rows.online().count()}

    return {
        "days": days,
        "since": since,
        "target": conf.working_rate_target(),
        "cameras": counts(Camera),
        "devices": counts(Device),
        "camera_rates": {
            "grid": _rates(services.working_rate(user=user, kind="camera", by="grid")),
            "owner": _rates(services.working_rate(user=user, kind="camera", by="owner")),
        },
        "device_rates": {
            "owner": _rates(services.working_rate(user=user, kind="device", by="owner")),
        },
        "events": {
            "total": sum(r["total"] for r in by_rule),
            "decided": decided,
            "confirmed": confirmed,
            "confirmed_share": round(confirmed / decided, 4) if decided else None,
            "by_rule": by_rule,
        },
        "to_case_minutes": {
            "count": len(waits),
            "median": round(waits[len(waits) // 2], 1) if waits else None,
            "p90": round(waits[min(len(waits) - 1, int(len(waits) * 0.9))], 1) if waits else None,
        },
        "alarms": {
            "total": sum(r["total"] for r in alarms_by_type),
            "by_type": alarms_by_type,
            "open": Alarm.objects.visible_to(user).filter(cleared_at__isnull=True).count(),
        },
    }
