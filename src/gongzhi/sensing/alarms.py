"""A sensor's readings, and the alarms and cases they raise.

``ingest`` is the one door for a reading, whoever carries it (the MQTT ingester, a test,
the bench): it refuses what cannot be a reading, stores the rest, hears the heartbeat and
runs the debounce on ``Device.streak``. ``DeviceType.debounce`` readings in a row past the
device's limit raise an alarm, as many normal ones clear it. An alarm raised becomes a case
at once through the one intake (channel ``sensor``, the type's category and urgency, placed
at the device); cleared, it says so on the case's timeline, and the owner still resolves
the case (a cover that stands again may still be broken).

``ingest_many`` takes a batch in one transaction and a few statements (the ingester's way:
thousands of readings a second). Its devices' rows are locked for the whole transaction, in
code order, so two ingesters that get readings of one device at once take turns and never
deadlock; the database's "one open alarm per device" catches what a database without row
locks (SQLite) lets through. A unique constraint on a reading's (device, at) would let the
database refuse a message delivered twice by itself (``ON CONFLICT DO NOTHING``); the model
has none, so a batch asks once for its late readings instead.

Periodic (``tick``): mark silent cameras and devices offline, make one maintenance case for
each camera offline too long, give a case to an alarm whose case failed, and thin old
readings (``downsample_readings``).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, replace

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core import push
from gongzhi.core.errors import ServiceError

from . import conf, services
from .choices import DeviceState
from .models import Alarm, Camera, Device, Reading

log = logging.getLogger(__name__)

# What ``ingest`` did with a reading (the ingester counts each).
STORED = "stored"
UNKNOWN = "unknown"  # no device has this code
REFUSED = "refused"  # not a number, or a value the device type cannot read
DISABLED = "disabled"  # the device is out of service: not watched
DUPLICATE = "duplicate"  # a message delivered again: already stored

ALARM_CLEARED = gettext_noop("The sensor reads normal again (%(value)s%(unit)s).")
TO_OWNER = gettext_noop("Sent at once to %(owner)s, which owns the device.")
LOOP_CLOSED = gettext_noop(
    "The sensor reads normal and the unit has resolved the case: verified by the platform."
)


@dataclass(frozen=True)
class IngestResult:
    status: str
    device_id: int | None = None
    reason: str = ""  # why refused: "not_a_number", "impossible"
    raised: int | None = None  # the alarm raised by this reading
    cleared: int | None = None  # the alarm this reading cleared
    case_number: str = ""  # the case the raised alarm made
    back_online: bool = False

    @property
    def ok(self) -> bool:
        return self.status == STORED


def _number(value) -> float | None:
    if isinstance(value, bool):  # JSON true is not a reading
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# What a reading needs of its device and type (fewer columns: a cheaper statement).
FIELDS = (
    *("pk", "code", "name", "enabled", "region_path", "lng", "lat", "address", "owner_id"),
    *("threshold", "last_seen_at", "offline_since", "last_value", "last_reading_at"),
    *("state", "streak", "type__name", "type__quantity", "type__unit", "type__comparison"),
    *("type__threshold", "type__valid_min", "type__valid_max", "type__debounce"),
    *("type__urgent", "type__category_code"),
)


def ingest(device_code: str, value, at: dt.datetime, *, raw=None) -> IngestResult:
    """Take one reading of the device with ``device_code`` at ``at`` (aware). ``raw`` is the
    message it came in, logged when the reading is refused."""
    return ingest_many([(device_code, value, at, raw)])[0]


def ingest_many(readings: list[tuple]) -> list[IngestResult]:
    """``ingest`` for each ``(device_code, value, at, raw)``, all in one transaction (one
    commit for a batch: the ingester's way under load). Results in the readings' order.

    A constant number of statements a batch, whatever its size: one reads and locks the
    batch's devices (in code order, so two ingesters' batches never deadlock), at most one
    looks for readings delivered twice, one inserts the readings and one updates the devices
    that changed. The debounce runs in Python, each device's readings in order of time.
    Alarms raised or cleared (rare) then go one by one, each with its case."""
    items = [_prepare(*reading) for reading in readings]
    order = sorted(range(len(items)), key=lambda i: (items[i][0], items[i][2]))
    results: list[IngestResult | None] = [None] * len(items)
    with transaction.atomic():
        devices = _lock_devices({code for code, *_rest in items if code})
        already = _stored_already(items, devices)
        batch = _Batch(already)
        for i in order:
            batch.index = i
            results[i] = _ingest(batch, devices.get(items[i][0]), *items[i])
        _insert_readings(batch.readings)
        _save_state(list(batch.changed.values()))
        for i, action, device, value, at in batch.actions:
            results[i] = _act(results[i], action, device, value, at)
    return results


# What a reading may change of its device (written back once a batch).
STATE_FIELDS = ("last_seen_at", "offline_since", "last_value", "last_reading_at", "state", "streak")


class _Batch:
    """What a batch will write, gathered while its readings are worked out."""

    def __init__(self, already: set):
        self.stored = already  # (device id, at, value) in the database or this batch
        self.readings: list[tuple] = []  # (device id, at, value): no model instances
        self.changed: dict[int, Device] = {}
        self.actions: list[tuple] = []  # (index, "raise" or "clear", device, value, at)
        self.index = 0  # the reading being worked out


def _prepare(device_code, value, at, raw=None) -> tuple:
    if timezone.is_naive(at):
        at = timezone.make_aware(at, dt.UTC)
    return str(device_code or "")[:64], _number(value), at, value, raw


def _lock_devices(codes: set[str]) -> dict[str, Device]:
    """The batch's devices with their types, locked in code order (by the database, for
    ``FOR UPDATE`` with ``ORDER BY``: rows are locked as the sorted scan returns them)."""
    found: dict[str, Device] = {}
    codes = sorted(codes)
    for start in range(0, len(codes), 500):  # SQLite's limit on parameters
        found.update(
            (device.code, device)
            for device in Device.objects.select_for_update(of=("self",))
            .select_related("type")
            .only(*FIELDS)
            .filter(code__in=codes[start : start + 500])
            .order_by("code")
        )
    return found


def _stored_already(items: list[tuple], devices: dict[str, Device]) -> set:
    """(device id, at, value) of the batch's late readings already stored: only a reading at
    or before its device's last can be one delivered again, so the usual batch asks nothing."""
    late = [
        (devices[code].pk, at)
        for code, number, at, _value, _raw in items
        if number is not None
        and code in devices
        and devices[code].last_reading_at is not None
        and at <= devices[code].last_reading_at
    ]
    if not late:
        return set()
    wanted = set(late)
    rows = Reading.objects.filter(
        device_id__in={pk for pk, _at in late}, at__in={at for _pk, at in late}
    ).values_list("device_id", "at", "value")
    return {row for row in rows if row[:2] in wanted}


def _ingest(batch: _Batch, device, code, number, at, value, raw) -> IngestResult:
    if device is None:
        log.warning("reading from unknown device %r refused: %r", code, raw or value)
        return IngestResult(UNKNOWN)
    if number is None or not device.type.is_possible(number):
        reason = "not_a_number" if number is None else "impossible"
        log.warning("reading %r of device %s refused (%s)", raw or value, code, reason)
        return IngestResult(REFUSED, device.pk, reason=reason)
    if not device.enabled:
        return IngestResult(DISABLED, device.pk)
    return _apply(batch, device, number, at)


def _apply(batch: _Batch, device: Device, value: float, at: dt.datetime) -> IngestResult:
    late = device.last_reading_at is not None and at <= device.last_reading_at
    key = (device.pk, at, value)
    if late and key in batch.stored:
        # The same message again (QoS 1 delivers at least once): nothing new.
        return IngestResult(DUPLICATE, device.pk)
    batch.stored.add(key)
    batch.readings.append(key)
    back = False
    if device.last_seen_at is None or at > device.last_seen_at:
        back = device.offline_since is not None  # the heartbeat, under the lock held
        device.last_seen_at, device.offline_since = at, None
        batch.changed[device.pk] = device
    if late:
        # A late message (a retry, a queue drained out of order): history, not the present.
        return IngestResult(STORED, device.pk, back_online=back)
    batch.changed[device.pk] = device
    device.last_value, device.last_reading_at = value, at
    past = device.type.is_alarm(value, device.limit)
    in_alarm = device.state == DeviceState.ALARM
    # The streak counts readings on the other side from the state: past the limit while
    # normal, normal while in alarm. One reading on the state's own side starts it again.
    device.streak = min(device.streak + 1, 32767) if past != in_alarm else 0
    if device.streak >= max(device.type.debounce, 1):
        device.streak = 0
        device.state = DeviceState.NORMAL if in_alarm else DeviceState.ALARM
        # The alarm's own statements wait for the batch's readings and devices.
        action = "clear" if in_alarm else "raise"
        batch.actions.append((batch.index, action, device, value, at))
    return IngestResult(STORED, device.pk, back_online=back)


def _act(result: IngestResult, action: str, device: Device, value: float, at) -> IngestResult:
    if action == "clear":
        cleared = _clear(device, value, at)
        return replace(result, cleared=cleared.pk if cleared else None)
    raised, case_number = _raise(device, value, at)
    return replace(result, raised=raised.pk if raised else None, case_number=case_number)


def _insert_readings(readings: list[tuple]) -> None:
    """``(device id, at, value)`` rows into the readings."""
    if not readings:
        return
    if connection.vendor != "postgresql":
        Reading.objects.bulk_create(
            (Reading(device_id=pk, at=at, value=value) for pk, at, value in readings),
            batch_size=300,  # SQLite: 999 parameters
        )
        return
    # One statement of three arrays, whatever the batch's size: no parameter a row for the
    # driver to convert, and no ids returned.
    fields = [Reading._meta.get_field(name) for name in ("device", "at", "value")]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(Reading._meta.db_table)} ({columns}) "
            f"SELECT * FROM unnest({arrays})",
            [list(column) for column in zip(*readings, strict=True)],
        )


def _save_state(devices: list[Device]) -> None:
    """The devices' heartbeat, last reading and debounce in one ``UPDATE … FROM`` (of arrays
    on PostgreSQL, of ``VALUES`` on SQLite): ``bulk_update``'s ``CASE`` a column costs more
    to build than to run."""
    if not devices:
        return
    fields = [Device._meta.get_field(name) for name in STATE_FIELDS]
    quote = connection.ops.quote_name
    table = quote(Device._meta.db_table)
    names = ", ".join(["id", *(f"c{n}" for n in range(len(fields)))])
    sets = ", ".join(f"{quote(field.column)} = v.c{n}" for n, field in enumerate(fields))
    update = f"UPDATE {table} SET {sets} FROM v WHERE {table}.id = v.id"
    postgresql = connection.vendor == "postgresql"
    values = [
        [
            device.pk,
            *(
                # psycopg takes the values as they are; SQLite's need Django's conversion.
                getattr(device, field.attname)
                if postgresql
                else field.get_db_prep_value(getattr(device, field.attname), connection)
                for field in fields
            ),
        ]
        for device in devices
    ]
    with connection.cursor() as cursor:
        if postgresql:
            types = [Device._meta.pk.rel_db_type(connection)]
            types += [field.db_type(connection) for field in fields]
            arrays = ", ".join(f"%s::{kind}[]" for kind in types)
            cursor.execute(
                f"WITH v({names}) AS (SELECT * FROM unnest({arrays})) {update}",
                [list(column) for column in zip(*values, strict=True)],
            )
            return
        row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
        for start in range(0, len(values), 100):  # 700 parameters: within SQLite's 999
            chunk = values[start : start + 100]
            cursor.execute(
                f"WITH v({names}) AS (VALUES {', '.join([row] * len(chunk))}) {update}",
                [value for device in chunk for value in device],
            )


# -- raise and clear ---------------------------------------------------------------------------


def _raise(device: Device, value: float, at) -> tuple[Alarm | None, str]:
    try:
        with transaction.atomic():
            alarm = Alarm.objects.create(device=device, raised_at=at, value=value)
    except IntegrityError:
        # Another ingester raised it first (a database without row locks): one alarm.
        log.info("alarm of device %s already open", device.code)
        return None, ""
    number = _raise_case(alarm, device)
    push.publish(
        "sensing",
        "alarm.raised",
        {
            "alarm": alarm.pk,
            "device": device.pk,
            "code": device.code,
            "name": device.name,
            "type": device.type.name,
            "value": value,
            "unit": device.type.unit,
            "urgent": device.type.urgent,
            "lng": device.lng,
            "lat": device.lat,
            "case": number,
            "at": at.isoformat(),
        },
        region_path=device.region_path,
    )
    return alarm, number


def to_owner(case, owner) -> None:
    """The unit that owns the device or camera is known, so its case goes to that unit at
    once (accepted and dispatched by the platform) instead of waiting in a dispatcher's
    queue; a case the channel's policy already dispatched is left where it went."""
    from gongzhi.cases.choices import State
    from gongzhi.cases.workflow import table as workflow

    if case.state == State.REPORTED:
        case = workflow.transition(case_id=case.pk, action="accept", actor=None)
    if case.state == State.ACCEPTED:
        workflow.transition(
            case_id=case.pk,
            action="dispatch",
            actor=None,
            organisation=owner,
            note=_(TO_OWNER) % {"owner": owner.name},
        )


def _raise_case(alarm: Alarm, device: Device) -> str:
    """The alarm's case (idempotent on the alarm), or "" when intake refused it: the tick
    tries again (``raise_missing_cases``)."""
    from gongzhi.cases.choices import Channel
    from gongzhi.cases.intake import services as intake
    from gongzhi.taxonomy.models import Category

    kind = device.type
    category = Category.objects.filter(code=kind.category_code, enabled=True).first()
    shown = f"{alarm.value:g}{kind.unit}"
    report = intake.Report(
        channel=Channel.SENSOR,
        title=(
            _("%(type)s alarm: %(quantity)s %(value)s at %(name)s")
            % {"type": kind.name, "quantity": kind.quantity, "value": shown, "name": device.name}
        )[:120],
        description=_(
            "Device %(code)s (%(name)s) read %(value)s at %(at)s, past its limit of "
            "%(limit)s%(unit)s. Owner unit: %(owner)s."
        )
        % {
            "code": device.code,
            "name": device.name,
            "value": shown,
            "at": timezone.localtime(alarm.raised_at).strftime("%Y-%m-%d %H:%M:%S"),
            "limit": f"{device.limit:g}",
            "unit": kind.unit,
            "owner": device.owner.name,
        },
        category=category,
        lng=device.lng,
        lat=device.lat,
        address=device.address or device.name,
        is_urgent=kind.urgent,
        idempotency_key=f"sensing:alarm:{alarm.pk}",
    )
    try:
        with transaction.atomic():
            case, created = intake.do_report(report=report)
            if created:
                to_owner(case, device.owner)
    except ServiceError as error:
        log.error("alarm %s of device %s: no case (%s)", alarm.pk, device.code, error.message)
        return ""
    Alarm.objects.filter(pk=alarm.pk).update(case_number=case.number)
    alarm.case_number = case.number
    return case.number


def _clear(device: Device, value: float, at) -> Alarm | None:
    alarm = Alarm.objects.filter(device=device, cleared_at__isnull=True).first()
    if alarm is None:
        return None
    alarm.cleared_at = at
    alarm.save(update_fields=["cleared_at"])
    if alarm.case_number:
        _note_cleared(alarm, value, device.type.unit)
        close_loops(numbers=[alarm.case_number])
    push.publish(
        "sensing",
        "alarm.cleared",
        {
            "alarm": alarm.pk,
            "device": device.pk,
            "code": device.code,
            "name": device.name,
            "value": value,
            "unit": device.type.unit,
            "case": alarm.case_number,
            "at": at.isoformat(),
        },
        region_path=device.region_path,
    )
    return alarm


def _note_cleared(alarm: Alarm, value: float, unit: str) -> None:
    """A platform comment on the case: the owner sees the reading is normal again."""
    from gongzhi.cases.models import Case
    from gongzhi.cases.workflow import table as workflow

    pk = Case.objects.filter(number=alarm.case_number).values_list("pk", flat=True).first()
    if pk is None:
        return
    try:
        with transaction.atomic():
            workflow.transition(
                case_id=pk,
                action="comment",
                actor=None,
                note=_(ALARM_CLEARED) % {"value": f"{value:g}", "unit": unit},
            )
    except ServiceError as error:  # a case merged or rejected since: nothing to tell
        log.info("alarm %s cleared, case %s not told: %s", alarm.pk, alarm.case_number, error)


def close_loops(*, numbers=None, limit: int = 100) -> int:
    """Close the case of every cleared alarm that its unit has resolved: the device reading
    normal is the check a verifier would make (the loop closes when both have happened, in
    either order: here when the alarm clears, and on each tick for a later resolution).
    ``numbers``: only these cases. Returns how many were closed."""
    from gongzhi.cases.choices import State
    from gongzhi.cases.models import Case
    from gongzhi.cases.workflow import table as workflow

    cleared = Alarm.objects.filter(cleared_at__isnull=False).exclude(case_number="")
    if numbers is not None:
        cleared = cleared.filter(case_number__in=numbers)
    resolved = Case.objects.filter(
        number__in=cleared.values("case_number"), state=State.RESOLVED
    ).values_list("pk", flat=True)
    closed = 0
    for pk in list(resolved[:limit]):
        try:
            with transaction.atomic():
                workflow.transition(
                    case_id=pk,
                    action="verify_pass",
                    actor=None,
                    expected_state=State.RESOLVED,
                    note=_(LOOP_CLOSED),
                )
            closed += 1
        except ServiceError as error:  # reopened or merged meanwhile: a person decides
            log.info("case %s not closed by its sensor: %s", pk, error)
    return closed


def raise_missing_cases() -> int:
    """Give a case to every open alarm whose case intake refused (a category missing then)."""
    made = 0
    for alarm in Alarm.objects.filter(cleared_at__isnull=True, case_number="").select_related(
        "device__type", "device__owner"
    )[:100]:
        if _raise_case(alarm, alarm.device):
            made += 1
    return made


# -- cameras offline too long ------------------------------------------------------------------


def raise_camera_cases(*, now=None) -> int:
    """One maintenance case for each enabled camera offline longer than
    ``conf.camera_case_after_minutes``: keyed on the camera and the start of its outage, so
    each outage makes exactly one case however many watchers run or how often."""
    from gongzhi.cases.choices import Channel
    from gongzhi.cases.intake import services as intake
    from gongzhi.taxonomy.models import Category

    now = now or timezone.now()
    since = now - dt.timedelta(minutes=conf.camera_case_after_minutes())
    cameras = Camera.objects.filter(enabled=True, offline_since__lte=since).select_related("owner")
    category = None
    made = 0
    for camera in cameras.iterator(chunk_size=200):
        key = f"sensing:camera:{camera.pk}:{camera.offline_since:%Y%m%d%H%M%S}"
        if category is None:
            category = Category.objects.filter(
                code=conf.camera_case_category(), enabled=True
            ).first()
        offline = timezone.localtime(camera.offline_since).strftime("%Y-%m-%d %H:%M")
        report = intake.Report(
            channel=Channel.SENSOR,
            title=(_("Camera offline: %(name)s") % {"name": camera.name})[:120],
            description=_(
                "Camera %(code)s (%(name)s) has sent nothing since %(since)s. Owner unit: "
                "%(owner)s: please repair it."
            )
            % {
                "code": camera.code,
                "name": camera.name,
                "since": offline,
                "owner": camera.owner.name,
            },
            category=category,
            lng=camera.lng,
            lat=camera.lat,
            address=camera.name,
            idempotency_key=key,
        )
        try:
            with transaction.atomic():
                found, created = intake.do_report(report=report)
                if created:
                    to_owner(found, camera.owner)
        except ServiceError as error:
            log.error("camera %s offline: no case (%s)", camera.code, error.message)
            continue
        made += created
    return made


# -- history -----------------------------------------------------------------------------------


def downsample_readings(now=None) -> int:
    """Thin readings older than ``conf.readings_keep_all_hours`` to the first of each device's
    ``conf.readings_bucket_minutes`` bucket. Looks back ``conf.readings_sweep_hours`` past
    that line (from a bucket's start, so no bucket is split). Returns how many it deleted.
    Safe side by side: each sweep keeps the same first reading of a bucket."""
    now = now or timezone.now()
    bucket = conf.readings_bucket_minutes() * 60
    cutoff = now - dt.timedelta(hours=conf.readings_keep_all_hours())
    start = cutoff - dt.timedelta(hours=conf.readings_sweep_hours())
    start = dt.datetime.fromtimestamp(start.timestamp() // bucket * bucket, tz=dt.UTC)
    seen: set[tuple[int, int]] = set()
    doomed: list[int] = []
    rows = (
        Reading.objects.filter(at__gte=start, at__lt=cutoff)
        .order_by("device_id", "at", "pk")
        .values_list("pk", "device_id", "at")
    )
    for pk, device_id, at in rows.iterator(chunk_size=5000):
        key = (device_id, int(at.timestamp() // bucket))
        if key in seen:
            doomed.append(pk)
        else:
            seen.add(key)
    deleted = 0
    for i in range(0, len(doomed), 500):
        deleted += Reading.objects.filter(pk__in=doomed[i : i + 500]).delete()[0]
    return deleted


def mark_offline(*, now=None) -> dict[str, int]:
    """``services.mark_offline``, and a live message for each camera or device it marked."""
    before = {
        model: set(model.objects.filter(offline_since__isnull=False).values_list("pk", flat=True))
        for model in (Camera, Device)
    }
    marked = services.mark_offline(now=now)
    for model, kind in ((Camera, "camera.offline"), (Device, "device.offline")):
        if not marked["cameras" if model is Camera else "devices"]:
            continue
        for record in (
            model.objects.filter(offline_since__isnull=False)
            .exclude(pk__in=before[model])
            .only("pk", "code", "name", "region_path", "offline_since")
        ):
            push.publish(
                "sensing",
                kind,
                {
                    "camera" if model is Camera else "device": record.pk,
                    "code": record.code,
                    "name": record.name,
                    "since": record.offline_since.isoformat(),
                },
                region_path=record.region_path,
            )
    return marked


def tick(now=None) -> dict:
    """The watcher's tick (``gongzhi.core.periodic``)."""
    now = now or timezone.now()
    marked = mark_offline(now=now)
    return {
        "offline_cameras": marked["cameras"],
        "offline_devices": marked["devices"],
        "camera_cases": raise_camera_cases(now=now),
        "alarm_cases": raise_missing_cases(),
        "loops_closed": close_loops(),
        "readings_thinned": downsample_readings(now),
    }
