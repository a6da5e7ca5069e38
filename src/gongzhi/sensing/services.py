"""Register cameras and devices, hear their heartbeats, and count how many work. The only
module other apps import; pages, the import, the API and the watchers call these with
keyword-only arguments.

``check_*`` validates and checks access and writes nothing; ``do_*`` checks again and
writes. Input problems are ``ServiceError``s naming their field (all at once,
``ServiceError.first_of``); a record outside the user's view is ``NotFound``.

Who may register or change a camera or device: administrators, the duty staff of the place
(dispatchers and leaders of its command centre or township) and the owner unit's staff for
their own (``access.may_manage``): nobody writes a record they could not then see.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation
from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.regions.models import Grid, Region, RegionLevel

from . import conf
from .access import may_manage
from .codes import CodeError, parse_camera
from .models import Camera, CameraType, Device, DeviceType

# -- input -------------------------------------------------------------------------------------


@dataclass
class CameraIn:
    code: str
    name: str
    type_id: int | None
    owner_id: int | None
    lng: float | None
    lat: float | None
    grid_id: int | None = None
    region_id: int | None = None  # a community, for a camera outside every grid
    direction: int | None = None
    field_of_view: int = 60
    range_m: int = 50
    social: bool = False
    stream_url: str = ""
    enabled: bool = True


@dataclass
class DeviceIn:
    code: str
    name: str
    type_id: int | None
    owner_id: int | None
    lng: float | None
    lat: float | None
    grid_id: int | None = None
    region_id: int | None = None
    address: str = ""
    threshold: float | None = None
    enabled: bool = True


STREAM_SCHEMES = frozenset({"rtsp", "rtsps", "http", "https", "file"})
# A device code is also its MQTT topic level: no "/", "+" or "#".
DEVICE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


# -- shared checks -----------------------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_name(value, errors: list[ServiceError]) -> str:
    name = " ".join(str(value or "").split())
    if not name or len(name) > 100:
        errors.append(ServiceError("required", _("Give it a name (up to 100 characters)."), "name"))
    return name


def _check_point(lng, lat, errors: list[ServiceError]) -> tuple[float | None, float | None]:
    if _blank(lng) or _blank(lat):
        errors.append(ServiceError("required", _("Give its position on the map."), "point"))
        return None, None
    try:
        lng, lat = float(lng), float(lat)
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValueError
    except (TypeError, ValueError):
        errors.append(ServiceError("invalid_point", _("The position is not valid."), "point"))
        return None, None
    return lng, lat


def _check_place(*, grid_id, region_id, lng, lat, errors) -> tuple[Region | None, Grid | None]:
    """The grid named, else the grid holding the point, else the community named."""
    grid = None
    if grid_id:
        grid = Grid.objects.filter(pk=grid_id, is_active=True).select_related("community").first()
        if grid is None:
            errors.append(ServiceError("invalid", _("Choose one of the grids."), "grid"))
            return None, None
    elif lng is not None:
        from gongzhi.regions import lookup

        hit = lookup.locate(lng, lat)
        if hit is not None:
            grid = Grid.objects.select_related("community").filter(pk=hit.grid_id).first()
    if grid is not None:
        return grid.community, grid
    if region_id:
        region = Region.objects.filter(pk=region_id, level=RegionLevel.COMMUNITY).first()
        if region is not None:
            return region, None
        errors.append(ServiceError("invalid", _("Choose a community or village."), "region"))
        return None, None
    errors.append(
        ServiceError("required", _("The position is in no grid: say which grid it is in."), "grid")
    )
    return None, None


def _check_owner(owner_id, errors) -> Organisation | None:
    owner = Organisation.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
    if owner is None:
        errors.append(ServiceError("required", _("Choose the unit that owns it."), "owner"))
    return owner


def _check_manages(actor, *, region, owner, errors) -> None:
    if region is not None and owner is not None:
        if not may_manage(actor, region_path=region.path, owner_id=owner.pk):
            errors.append(
                ServiceError(
                    "out_of_scope",
                    _("You may register only your unit's own, or those in the places you watch."),
                    "owner",
                )
            )


def _int_in(value, low, high, field, message, errors, *, default=None):
    if _blank(value):
        return default
    try:
        number = int(value)
        if not low <= number <= high:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(ServiceError("invalid", message, field))
        return default
    return number


def _visible(actor, model, record):
    if not model.objects.visible_to(actor).filter(pk=record.pk).exists():
        raise NotFound("not_found", _("There is no such record in your area."))


def _save(record, *, field: str):
    """Save, turning the race of two registrations of one code into the usual error."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as error:
        raise ServiceError(
            "duplicate", _("Another one is already registered with this code."), field
        ) from error
    return record


# -- cameras -----------------------------------------------------------------------------------


def check_camera(*, data: CameraIn, actor, camera: Camera | None = None) -> dict:
    """The fields of a new or changed camera, or every problem found, as ServiceErrors."""
    errors: list[ServiceError] = []
    code = (data.code or "").strip()
    parsed = None
    try:
        parsed = parse_camera(code)
    except CodeError as error:
        errors.append(ServiceError("invalid_code", error.message, "code"))
    if (
        parsed
        and Camera.objects.filter(code=code).exclude(pk=camera.pk if camera else None).exists()
    ):
        errors.append(
            ServiceError(
                "duplicate", _("Another camera is already registered with this code."), "code"
            )
        )
    name = _check_name(data.name, errors)
    kind = (
        CameraType.objects.filter(pk=data.type_id, enabled=True).first() if data.type_id else None
    )
    if kind is None:
        errors.append(ServiceError("required", _("Choose the camera's type."), "type"))
    owner = _check_owner(data.owner_id, errors)
    lng, lat = _check_point(data.lng, data.lat, errors)
    region, grid = (None, None)
    if lng is not None or data.grid_id or data.region_id:
        region, grid = _check_place(
            grid_id=data.grid_id, region_id=data.region_id, lng=lng, lat=lat, errors=errors
        )
    if parsed and region is not None and f"/{parsed.region}/" not in region.path:
        # A camera may carry its county's, city's or province's code, not another place's.
        errors.append(
            ServiceError(
                "code_region",
                _("The code is of region %(code)s, but the camera is in %(place)s.")
                % {"code": parsed.region, "place": region.name},
                "code",
            )
        )
    direction = _int_in(
        data.direction, 0, 359, "direction", _("Give the direction in degrees, 0 to 359."), errors
    )
    fov = _int_in(
        data.field_of_view,
        1,
        360,
        "field_of_view",
        _("Give the field of view in degrees, 1 to 360."),
        errors,
        default=60,
    )
    range_m = _int_in(
        data.range_m,
        1,
        5000,
        "range_m",
        _("Give the range in metres, 1 to 5000."),
        errors,
        default=50,
    )
    stream_url = (data.stream_url or "").strip()
    if stream_url and (
        urlsplit(stream_url).scheme.lower() not in STREAM_SCHEMES or len(stream_url) > 500
    ):
        errors.append(
            ServiceError(
                "invalid",
                _("Give the stream as an rtsp://, http(s):// or file:// address."),
                "stream_url",
            )
        )
    _check_manages(actor, region=region, owner=owner, errors=errors)
    if errors:
        raise ServiceError.first_of(errors)
    return {
        "code": code,
        "name": name,
        "type": kind,
        "owner": owner,
        "lng": lng,
        "lat": lat,
        "region": region,
        "grid": grid,
        "region_path": region.path,
        "direction": direction,
        "field_of_view": fov,
        "range_m": range_m,
        "social": bool(data.social),
        "stream_url": stream_url,
        "enabled": bool(data.enabled),
    }


def do_add_camera(*, data: CameraIn, actor) -> Camera:
    return _save(Camera(**check_camera(data=data, actor=actor)), field="code")


def do_update_camera(*, camera: Camera, data: CameraIn, actor) -> Camera:
    _visible(actor, Camera, camera)
    for name, value in check_camera(data=data, actor=actor, camera=camera).items():
        setattr(camera, name, value)
    return _save(camera, field="code")


# -- devices -----------------------------------------------------------------------------------


def check_device(*, data: DeviceIn, actor, device: Device | None = None) -> dict:
    errors: list[ServiceError] = []
    code = (data.code or "").strip()
    if not DEVICE_CODE.match(code):
        errors.append(
            ServiceError(
                "invalid_code",
                _("A device code is 1 to 64 letters, digits, “_”, “.”, “:” or “-”."),
                "code",
            )
        )
    elif Device.objects.filter(code=code).exclude(pk=device.pk if device else None).exists():
        errors.append(
            ServiceError(
                "duplicate", _("Another device is already registered with this code."), "code"
            )
        )
    name = _check_name(data.name, errors)
    kind = (
        DeviceType.objects.filter(pk=data.type_id, enabled=True).first() if data.type_id else None
    )
    if kind is None:
        errors.append(ServiceError("required", _("Choose the device's type."), "type"))
    owner = _check_owner(data.owner_id, errors)
    lng, lat = _check_point(data.lng, data.lat, errors)
    region, grid = (None, None)
    if lng is not None or data.grid_id or data.region_id:
        region, grid = _check_place(
            grid_id=data.grid_id, region_id=data.region_id, lng=lng, lat=lat, errors=errors
        )
    threshold = None
    if not _blank(data.threshold):
        try:
            threshold = float(data.threshold)
            if kind is not None and not kind.is_possible(threshold):
                raise ValueError
        except (TypeError, ValueError):
            errors.append(
                ServiceError("invalid", _("The threshold is not a possible reading."), "threshold")
            )
            threshold = None
    address = " ".join(str(data.address or "").split())[:200]
    _check_manages(actor, region=region, owner=owner, errors=errors)
    if errors:
        raise ServiceError.first_of(errors)
    return {
        "code": code,
        "name": name,
        "type": kind,
        "owner": owner,
        "lng": lng,
        "lat": lat,
        "region": region,
        "grid": grid,
        "region_path": region.path,
        "address": address,
        "threshold": threshold,
        "enabled": bool(data.enabled),
    }


def do_add_device(*, data: DeviceIn, actor) -> Device:
    return _save(Device(**check_device(data=data, actor=actor)), field="code")


def do_update_device(*, device: Device, data: DeviceIn, actor) -> Device:
    _visible(actor, Device, device)
    for name, value in check_device(data=data, actor=actor, device=device).items():
        setattr(device, name, value)
    return _save(device, field="code")


# -- status ------------------------------------------------------------------------------------


def record_heartbeat(*, camera: Camera | None = None, device: Device | None = None, at) -> bool:
    """A sign of life from one camera or device at ``at``: it is online from then on.
    Returns whether it had been marked offline (and so is back). A heartbeat older than
    the last one heard changes nothing (messages may arrive out of order)."""
    if (camera is None) == (device is None):
        raise TypeError("record_heartbeat takes a camera or a device")
    record = camera or device
    rows = (
        type(record)
        .objects.filter(pk=record.pk)
        .filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=at))
    )
    # Two conditional updates rather than a read then a write: watchers run side by side.
    back = rows.filter(offline_since__isnull=False).update(last_seen_at=at, offline_since=None)
    moved = back or rows.update(last_seen_at=at)
    if moved:
        record.last_seen_at, record.offline_since = at, None
    return bool(back)


def _mark(queryset, seconds: float, now) -> int:
    limit = dt.timedelta(seconds=seconds)
    silent = Q(last_seen_at__lt=now - limit) | Q(
        last_seen_at__isnull=True, created_at__lt=now - limit
    )
    # Offline from the moment the silence passed the limit, however late the sweep runs.
    return queryset.filter(silent, enabled=True, offline_since__isnull=True).update(
        offline_since=ExpressionWrapper(
            Coalesce(F("last_seen_at"), F("created_at")) + Value(limit),
            output_field=DateTimeField(),
        )
    )


def mark_offline(*, now=None) -> dict[str, int]:
    """Mark offline every enabled camera and device silent past its limit (cameras:
    ``conf.camera_offline_after_seconds``; devices: their type's heartbeat times
    ``conf.device_offline_grace``). Returns how many of each were marked."""
    now = now or timezone.now()
    cameras = _mark(Camera.objects.all(), conf.camera_offline_after_seconds(), now)
    devices = 0
    grace = conf.device_offline_grace()
    for kind in DeviceType.objects.all():
        devices += _mark(Device.objects.filter(type=kind), kind.heartbeat_seconds * grace, now)
    return {"cameras": cameras, "devices": devices}


# -- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingRate:
    """One grid's or owner's working rate (在线率): enabled ones online over all enabled."""

    key: int | None  # the grid's or unit's id; None for those in no grid
    name: str
    total: int
    online: int
    target: float

    @property
    def rate(self) -> float | None:
        return self.online / self.total if self.total else None

    @property
    def meets_target(self) -> bool:
        return self.total > 0 and self.online >= self.target * self.total - 1e-9


@dataclass(frozen=True)
class WorkingRates:
    rows: list[WorkingRate]  # worst first
    overall: WorkingRate


def working_rate(*, user, kind: str = "camera", by: str = "grid") -> WorkingRates:
    """The working rate of the cameras (``kind="camera"``) or devices the user sees, per
    grid (``by="grid"``) or owner unit (``by="owner"``), against ``conf.working_rate_target``.
    Out-of-service ones are not counted; a never-heard-from one counts as not working."""
    models_by_kind = {"camera": Camera, "device": Device}
    if kind not in models_by_kind:
        raise ServiceError("invalid", _("Ask for cameras or devices."), "kind")
    if by not in ("grid", "owner"):
        raise ServiceError("invalid", _("Group by grid or by owner unit."), "by")
    target = conf.working_rate_target()
    online = Q(last_seen_at__isnull=False, offline_since__isnull=True)
    counts = list(
        models_by_kind[kind]
        .objects.visible_to(user)
        .filter(enabled=True)
        .values(f"{by}_id")
        .annotate(total=Count("pk"), online=Count("pk", filter=online))
        .order_by()
    )
    keys = [row[f"{by}_id"] for row in counts if row[f"{by}_id"] is not None]
    names_model = Grid if by == "grid" else Organisation
    names = dict(names_model.objects.filter(pk__in=keys).values_list("pk", "name"))
    rows = [
        WorkingRate(
            key=row[f"{by}_id"],
            name=names.get(row[f"{by}_id"], "") if row[f"{by}_id"] else _("In no grid"),
            total=row["total"],
            online=row["online"],
            target=target,
        )
        for row in counts
    ]
    rows.sort(key=lambda r: (r.rate, r.name))
    overall = WorkingRate(
        key=None,
        name=_("All"),
        total=sum(r.total for r in rows),
        online=sum(r.online for r in rows),
        target=target,
    )
    return WorkingRates(rows=rows, overall=overall)
