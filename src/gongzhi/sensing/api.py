"""The sensing part of the JSON API (mounted at /api/v1/sensing by ``gongzhi.api``).

GET  /sensing/cameras                 cameras: filters, pages
GET  /sensing/cameras/{id}            one camera with its recent events
GET  /sensing/devices                 sensors: filters, pages
GET  /sensing/devices/{id}            one sensor with its latest readings and alarms
GET  /sensing/events                  video events: filters, pages
GET  /sensing/events/{id}             one event
POST /sensing/events                  an event from a camera or a video platform (a token)
POST /sensing/events/{id}/confirm     confirm it: a case (``events.do_confirm``)
POST /sensing/events/{id}/dismiss     dismiss it with a reason (``events.do_dismiss``)
GET  /sensing/alarms                  sensor alarms: filters, pages
GET  /sensing/alarms/{id}             one alarm
POST /sensing/readings                a sensor's reading (``alarms.ingest``)
GET  /sensing/figures                 the figures page's numbers (``queries.figures``)

Every read starts from ``<Model>.objects.visible_to(request.user)`` — the pages' querysets —
so a record outside it is "not found", as a missing one; an event or a reading is taken only
for a camera or sensor the caller sees. ``stream_url`` is given to administrators only
(null for everyone else). Errors have the one shape (``ErrorOut``); bad input changes
nothing.
"""

import base64
import binascii
import datetime as dt
from typing import Annotated, Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gongzhi.core.api import ErrorOut, Pages
from gongzhi.core.db import MAX_ID
from gongzhi.core.errors import Conflict, NotFound, ServiceError
from gongzhi.regions.models import Grid, Region

from . import alarms as alarm_intake
from . import events, queries
from .choices import EventState
from .models import CameraType, DeviceType, Rule

router = Router(tags=["sensing"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
StatusName = Literal[tuple(queries.Status.values)]  # type: ignore[valid-type]
EventStateName = Literal[tuple(EventState.values)]  # type: ignore[valid-type]

MAX_SNAPSHOT = 2 * 1024 * 1024  # bytes of JPEG, decoded
MAX_DETAILS = 64 * 1024  # characters of the details as JSON
FUTURE_SLACK = dt.timedelta(minutes=5)  # clocks of cameras drift


def _grid_id(code: str) -> int:
    found = Grid.objects.filter(code=code.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise ServiceError("unknown_grid", _("There is no grid with this code."), "grid")
    return found


def _region_path(code: str) -> str:
    found = Region.objects.filter(code=code.strip()).values_list("path", flat=True).first()
    if found is None:
        raise ServiceError("unknown_region", _("There is no region with this code."), "region")
    return found


def _type_id(model, code: str) -> int:
    found = model.objects.filter(code=code.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise ServiceError("unknown_type", _("There is no type with this code."), "type")
    return found


def _moment(value: dt.datetime, field: str) -> dt.datetime:
    """An aware time in UTC. PostgreSQL refuses an offset beyond ±15:59 (ISO 8601 allows
    ±23:59): converted first, such a time is one like any other, or clearly refused."""
    try:
        if timezone.is_naive(value):  # a device's local clock: the platform's zone
            value = timezone.make_aware(value)
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ServiceError("invalid", _("This time cannot be read."), field) from None


def _when(value: dt.datetime, field: str) -> dt.datetime:
    value = _moment(value, field)
    if value > timezone.now() + FUTURE_SLACK:
        raise ServiceError("invalid", _("The time is in the future."), field)
    return value


# -- cameras and devices -----------------------------------------------------------------------


class PlacedFilter(Schema):
    q: str | None = Field(None, max_length=64, description="part of the name or code")
    grid: str | None = Field(None, max_length=30, description="grid code")
    region: str | None = Field(None, max_length=12, description="region code; places within it")
    owner: Id | None = Field(None, description="owner unit id")
    type: str | None = Field(None, max_length=40, description="type code")
    status: StatusName | None = None


def _filters(f: PlacedFilter, type_model, **extra) -> queries.Filters:
    return queries.Filters(
        q=(f.q or "").strip(),
        grid_id=_grid_id(f.grid) if f.grid else None,
        region_path=_region_path(f.region) if f.region else "",
        owner_id=f.owner,
        type_id=_type_id(type_model, f.type) if f.type else None,
        status=f.status or "",
        **extra,
    )


class PlacedOut(Schema):
    id: int
    code: str
    name: str
    type: str = Field(description="type code")
    type_name: str
    owner_id: int
    owner_name: str
    region: str = Field(description="code of the community or village")
    region_name: str
    grid: str | None = Field(description="grid code")
    grid_name: str | None
    lng: float
    lat: float
    enabled: bool
    status: str = Field(description="online, offline or disabled (out of service)")
    last_seen_at: dt.datetime | None
    offline_since: dt.datetime | None


class CameraOut(PlacedOut):
    direction: int | None
    field_of_view: int
    range_m: int
    social: bool
    stream_url: str | None = Field(description="administrators only; null for others")


class DeviceOut(PlacedOut):
    address: str
    threshold: float = Field(description="the limit in force (its own or its type's)")
    comparison: str
    unit: str
    last_value: float | None
    last_reading_at: dt.datetime | None
    state: str = Field(description="normal or alarm")


def _placed(r) -> dict:
    return {
        "id": r.pk,
        "code": r.code,
        "name": r.name,
        "type": r.type.code,
        "type_name": r.type.name,
        "owner_id": r.owner_id,
        "owner_name": r.owner.name,
        "region": r.region.code,
        "region_name": r.region.name,
        "grid": r.grid.code if r.grid_id else None,
        "grid_name": r.grid.name if r.grid_id else None,
        "lng": r.lng,
        "lat": r.lat,
        "enabled": r.enabled,
        "status": queries.status_of(r),
        "last_seen_at": r.last_seen_at,
        "offline_since": r.offline_since,
    }


def _camera(c, streams: bool) -> dict:
    return {
        **_placed(c),
        "direction": c.direction,
        "field_of_view": c.field_of_view,
        "range_m": c.range_m,
        "social": c.social,
        "stream_url": c.stream_url if streams else None,
    }


def _device(d) -> dict:
    return {
        **_placed(d),
        "address": d.address,
        "threshold": d.limit,
        "comparison": d.type.comparison,
        "unit": d.type.unit,
        "last_value": d.last_value,
        "last_reading_at": d.last_reading_at,
        "state": d.state,
    }


class _Rows:
    """The paginator's view of a queryset: counted, sliced, each record shaped as a row."""

    def __init__(self, queryset, shape):
        self.queryset, self.shape = queryset, shape

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window):
        return [self.shape(row) for row in self.queryset[window]]


@router.get("/cameras", response={200: list[CameraOut], **ERRORS}, summary="Cameras")
@paginate(Pages)
def list_cameras(request, f: Query[PlacedFilter]):
    rows = queries.cameras(request.user, _filters(f, CameraType))
    streams = queries.shows_streams(request.user)
    return _Rows(rows, lambda c: _camera(c, streams))


class VideoEventOut(Schema):
    id: int
    camera: str = Field(description="the camera's national code")
    camera_name: str
    rule: str
    at: dt.datetime
    details: dict[str, Any]
    has_snapshot: bool
    state: str
    dismiss_reason: str
    decided_at: dt.datetime | None
    case_number: str


def _event(e) -> dict:
    return {
        "id": e.pk,
        "camera": e.camera.code,
        "camera_name": e.camera.name,
        "rule": e.rule_code,
        "at": e.at,
        "details": e.details or {},
        "has_snapshot": bool(e.snapshot),
        "state": e.state,
        "dismiss_reason": e.dismiss_reason,
        "decided_at": e.decided_at,
        "case_number": e.case_number,
    }


class CameraDetailOut(CameraOut):
    events: list[VideoEventOut]


@router.get("/cameras/{camera_id}", response={200: CameraDetailOut, **ERRORS}, summary="A camera")
def camera_detail(request, camera_id: Id):
    camera = queries.camera_for(request.user, camera_id)
    if camera is None:
        raise NotFound("not_found", _("There is no such camera in your area."))
    events = queries.events(request.user).filter(camera=camera)[: queries.RECENT]
    return {
        **_camera(camera, queries.shows_streams(request.user)),
        "events": [_event(e) for e in events],
    }


class DeviceFilter(PlacedFilter):
    state: Literal["normal", "alarm"] | None = None


@router.get("/devices", response={200: list[DeviceOut], **ERRORS}, summary="Sensors")
@paginate(Pages)
def list_devices(request, f: Query[DeviceFilter]):
    return _Rows(
        queries.devices(request.user, _filters(f, DeviceType, state=f.state or "")), _device
    )


class ReadingOut(Schema):
    at: dt.datetime
    value: float


class AlarmOut(Schema):
    id: int
    device: str = Field(description="the sensor's code")
    device_name: str
    type: str
    raised_at: dt.datetime
    cleared_at: dt.datetime | None
    value: float
    case_number: str


def _alarm(a) -> dict:
    return {
        "id": a.pk,
        "device": a.device.code,
        "device_name": a.device.name,
        "type": a.device.type.code,
        "raised_at": a.raised_at,
        "cleared_at": a.cleared_at,
        "value": a.value,
        "case_number": a.case_number,
    }


class DeviceDetailOut(DeviceOut):
    readings: list[ReadingOut] = Field(description="the newest readings, oldest first")
    alarms: list[AlarmOut]


@router.get("/devices/{device_id}", response={200: DeviceDetailOut, **ERRORS}, summary="A sensor")
def device_detail(request, device_id: Id):
    device = queries.device_for(request.user, device_id)
    if device is None:
        raise NotFound("not_found", _("There is no such sensor in your area."))
    alarms = queries.alarms(request.user).filter(device=device)[: queries.RECENT]
    return {
        **_device(device),
        "readings": [{"at": at, "value": v} for at, v in queries.readings(device)],
        "alarms": [_alarm(a) for a in alarms],
    }


# -- events ------------------------------------------------------------------------------------


class EventFilter(Schema):
    camera: str | None = Field(None, max_length=20, description="the camera's national code")
    rule: str | None = Field(None, max_length=40)
    state: EventStateName | None = None
    since: dt.datetime | None = None


@router.get("/events", response={200: list[VideoEventOut], **ERRORS}, summary="Video events")
@paginate(Pages)
def list_events(request, f: Query[EventFilter]):
    rows = queries.events(request.user)
    if f.camera:
        rows = rows.filter(camera__code=f.camera.strip())
    if f.rule:
        rows = rows.filter(rule_code=f.rule.strip())
    if f.state:
        rows = rows.filter(state=f.state)
    if f.since:
        rows = rows.filter(at__gte=_moment(f.since, "since"))
    return _Rows(rows, _event)


def _event_for(request, event_id: int):
    event = queries.events(request.user).filter(pk=event_id).first()
    if event is None:
        raise NotFound("not_found", _("There is no such event in your area."))
    return event


@router.get("/events/{event_id}", response={200: VideoEventOut, **ERRORS}, summary="A video event")
def event_detail(request, event_id: Id):
    return _event(_event_for(request, event_id))


class EventIn(Schema):
    camera: str = Field(max_length=20, description="the camera's national code (GB/T 28181)")
    rule: str = Field(min_length=1, max_length=40, description="the rule's code")
    at: dt.datetime = Field(description="when it was seen; without a zone: Asia/Shanghai")
    details: dict[str, Any] = Field(default_factory=dict, description="boxes, counts, scores")
    snapshot: str | None = Field(
        None, max_length=3_000_000, description="a JPEG picture, base64-encoded"
    )


class EventTaken(Schema):
    created: bool = Field(description="false: inside the rule's dedup window, nothing stored")
    event: VideoEventOut | None


def _snapshot(text: str | None) -> bytes | None:
    if not text:
        return None
    try:
        data = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ServiceError("invalid", _("The snapshot is not base64."), "snapshot") from None
    if len(data) > MAX_SNAPSHOT:
        raise ServiceError("too_large", _("The snapshot is larger than 2 MB."), "snapshot")
    if not data.startswith(b"\xff\xd8\xff"):
        raise ServiceError("invalid", _("The snapshot is not a JPEG picture."), "snapshot")
    return data


@router.post(
    "/events",
    response={201: EventTaken, 200: EventTaken, **ERRORS},
    summary="Report a video event (a camera or video platform, with a token)",
)
def post_event(request, body: EventIn):
    camera = queries.cameras(request.user).filter(code=body.camera.strip()).first()
    if camera is None:
        raise NotFound("not_found", _("There is no such camera in your area."), "camera")
    if not camera.enabled:
        raise Conflict("out_of_service", _("The camera is out of service."), "camera")
    rule_code = body.rule.strip()
    if not Rule.objects.filter(camera=camera, code=rule_code).exists():
        raise ServiceError("unknown_rule", _("This camera has no rule with this code."), "rule")
    if len(str(body.details)) > MAX_DETAILS:
        raise ServiceError("too_large", _("The details are too long."), "details")
    at = _when(body.at, "at")
    snapshot = _snapshot(body.snapshot)
    event = events.record_event(
        camera=camera,
        rule_code=rule_code,
        at=at,
        details=body.details,
        snapshot_jpeg=snapshot,
    )
    if event is None:
        return 200, {"created": False, "event": None}
    return 201, {"created": True, "event": _event(event)}


class ConfirmIn(Schema):
    note: str = Field("", max_length=500)


class Confirmed(Schema):
    case_number: str
    event: VideoEventOut


class DismissIn(Schema):
    reason: str = Field(max_length=200)


@router.post(
    "/events/{event_id}/confirm",
    response={200: Confirmed, **ERRORS},
    summary="Confirm a video event: a case is raised",
)
def confirm_event(request, event_id: Id, body: ConfirmIn):
    event = _event_for(request, event_id)
    number = events.do_confirm(event=event, actor=request.user, note=body.note)
    return {"case_number": number, "event": _event(_event_for(request, event_id))}


@router.post(
    "/events/{event_id}/dismiss",
    response={200: VideoEventOut, **ERRORS},
    summary="Dismiss a video event as a false alarm",
)
def dismiss_event(request, event_id: Id, body: DismissIn):
    event = _event_for(request, event_id)
    try:
        events.do_dismiss(event=event, actor=request.user, reason=body.reason)
    except ServiceError as error:
        if error.field == "dismiss_reason":  # the body's name for it
            error.field = "reason"
        raise
    return _event(_event_for(request, event_id))


# -- alarms and readings -----------------------------------------------------------------------


class AlarmFilter(Schema):
    device: str | None = Field(None, max_length=64, description="the sensor's code")
    open: bool | None = Field(None, description="true: not yet cleared")
    since: dt.datetime | None = None


@router.get("/alarms", response={200: list[AlarmOut], **ERRORS}, summary="Sensor alarms")
@paginate(Pages)
def list_alarms(request, f: Query[AlarmFilter]):
    rows = queries.alarms(request.user)
    if f.device:
        rows = rows.filter(device__code=f.device.strip())
    if f.open is not None:
        rows = rows.filter(cleared_at__isnull=f.open)
    if f.since:
        rows = rows.filter(raised_at__gte=_moment(f.since, "since"))
    return _Rows(rows, _alarm)


@router.get("/alarms/{alarm_id}", response={200: AlarmOut, **ERRORS}, summary="A sensor alarm")
def alarm_detail(request, alarm_id: Id):
    alarm = queries.alarms(request.user).filter(pk=alarm_id).first()
    if alarm is None:
        raise NotFound("not_found", _("There is no such alarm in your area."))
    return _alarm(alarm)


class ReadingIn(Schema):
    device: str = Field(min_length=1, max_length=64, description="the sensor's code")
    value: float
    at: dt.datetime | None = Field(None, description="when it was read; empty: now")


class ReadingTaken(Schema):
    status: str
    state: str = Field(description="the sensor's alarm state after this reading")
    raised: int | None = Field(description="the alarm this reading raised")
    cleared: int | None = Field(description="the alarm this reading cleared")
    case_number: str


@router.post(
    "/readings",
    response={200: ReadingTaken, **ERRORS},
    summary="Report a sensor's reading (a device or gateway, with a token)",
)
def post_reading(request, body: ReadingIn):
    code = body.device.strip()
    if not queries.devices(request.user).filter(code=code).exists():
        raise NotFound("not_found", _("There is no such sensor in your area."), "device")
    at = _when(body.at, "at") if body.at else timezone.now()
    result = alarm_intake.ingest(code, body.value, at, raw=body.dict())
    if result.status == alarm_intake.REFUSED:
        raise ServiceError("invalid", _("This sensor cannot read this value."), "value")
    if result.status == alarm_intake.DISABLED:
        raise Conflict("out_of_service", _("The sensor is out of service."), "device")
    if result.status != alarm_intake.STORED:
        raise NotFound("not_found", _("There is no such sensor in your area."), "device")
    state = queries.devices(request.user).filter(code=code).values_list("state", flat=True)[0]
    return {
        "status": result.status,
        "state": state,
        "raised": result.raised,
        "cleared": result.cleared,
        "case_number": result.case_number,
    }


# -- figures -----------------------------------------------------------------------------------


@router.get("/figures", response={200: dict[str, Any], **ERRORS}, summary="Sensing figures")
def figures(request, days: int = Query(queries.FIGURE_DAYS, ge=1, le=queries.MAX_FIGURE_DAYS)):
    data = queries.figures(request.user, days=days)
    data["since"] = data["since"].isoformat()
    return data
