"""Video events: what a camera's rule saw, kept with a snapshot and a clip until a duty
officer confirms it (a case, through the one intake, channel VIDEO) or dismisses it as a
false alarm with a reason.

``record_event`` is the watcher's door: one event per episode (the rule's dedup window),
the snapshot's faces blurred when ``GONGZHI_SENSING_BLUR_FACES`` is on, a live message to
the console, and at once a case for a rule that says so (confirmed by the system).
``check_confirm``/``do_confirm`` and ``check_dismiss``/``do_dismiss`` are the console's;
whoever sees the camera (``objects.visible_to``) may decide its events.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import push
from gongzhi.core.errors import Conflict, NotFound, ServiceError

from .choices import EventState
from .models import Camera, Event, Rule

log = logging.getLogger(__name__)

TOPIC = "sensing"
DEFAULT_DEDUP_SECONDS = 60
MAX_REASON = 200


def var_dir() -> Path:
    return Path(settings.VAR_DIR) / "sensing"


def latest_frame_path(camera) -> Path:
    """The newest analysed frame of ``camera`` (JPEG), written by the watcher."""
    return var_dir() / "latest" / f"{camera.code}.jpg"


def snapshot_path(event) -> Path | None:
    return _stored(event.snapshot)


def clip_path(event) -> Path | None:
    return _stored(event.clip)


def _stored(name: str) -> Path | None:
    if not name:
        return None
    path = (Path(settings.VAR_DIR) / name).resolve()
    # A path outside VAR_DIR is never served, whatever the row says.
    if Path(settings.VAR_DIR).resolve() not in path.parents or not path.is_file():
        return None
    return path


def blur_faces_enabled() -> bool:
    return bool(getattr(settings, "GONGZHI_SENSING_BLUR_FACES", True))


def _save_snapshot(camera, at, jpeg: bytes) -> str:
    if blur_faces_enabled():
        from .video.draw import blur_faces_jpeg

        jpeg = blur_faces_jpeg(jpeg)
    relative = Path("sensing", "snapshots", camera.code, f"{at:%Y%m%d}", f"{uuid.uuid4().hex}.jpg")
    path = Path(settings.VAR_DIR) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    temporary.write_bytes(jpeg)
    temporary.replace(path)
    return relative.as_posix()


def _relative(path: str | None) -> str:
    if not path:
        return ""
    try:
        return Path(path).resolve().relative_to(Path(settings.VAR_DIR).resolve()).as_posix()
    except ValueError:
        log.warning("clip %s is outside VAR_DIR: not kept", path)
        return ""


def _message(event: Event) -> dict:
    # Ids and short display fields only: every viewer of the place receives it.
    return {
        "id": event.pk,
        "camera": event.camera_id,
        "camera_name": event.camera.name,
        "rule": event.rule_code,
        "at": event.at.isoformat(),
        "state": event.state,
        "case_number": event.case_number,
    }


# -- recording ---------------------------------------------------------------------------------


def record_event(
    *,
    camera: Camera,
    rule_code: str,
    at: dt.datetime,
    details: dict,
    snapshot_jpeg: bytes | None = None,
    clip_path: str | None = None,
) -> Event | None:
    """Store what ``rule_code`` of ``camera`` saw at ``at``. None when the same rule
    raised an event less than its dedup window before (one event per episode)."""
    rule = Rule.objects.filter(camera=camera, code=rule_code).first()
    window = dt.timedelta(seconds=rule.dedup_seconds if rule else DEFAULT_DEDUP_SECONDS)
    recent = Event.objects.filter(
        camera=camera, rule_code=rule_code, at__gt=at - window, at__lte=at + window
    )
    if recent.exists():  # the common case of a repeat: no picture blurred or written
        return None
    # Blurred and written before the lock, which is then held for two queries only.
    snapshot = _save_snapshot(camera, at, snapshot_jpeg) if snapshot_jpeg else ""
    with transaction.atomic():
        # One writer per camera at a time: the dedup question and the insert go together.
        camera = Camera.objects.select_for_update().get(pk=camera.pk)
        if recent.exists():
            if snapshot:
                (Path(settings.VAR_DIR) / snapshot).unlink(missing_ok=True)
            return None
        event = Event.objects.create(
            camera=camera,
            rule=rule,
            rule_code=rule_code,
            at=at,
            details=details or {},
            snapshot=snapshot,
            clip=_relative(clip_path),
        )
        push.publish(TOPIC, "event.new", _message(event), region_path=camera.region_path)
    if rule is not None and rule.creates_case_directly:
        try:
            _confirm(event, None, "", system=True)
        except ServiceError as error:  # the event stays new: an officer decides it
            log.warning("event %s: no case raised at once: %s", event.pk, error.message)
        event.refresh_from_db()
    return event


# -- deciding ----------------------------------------------------------------------------------


def _visible(event: Event, actor) -> None:
    if actor is None or not Event.objects.visible_to(actor).filter(pk=event.pk).exists():
        raise NotFound("not_found", _("There is no such event in your area."))


def _category(event: Event):
    from gongzhi.taxonomy.models import Category

    code = event.rule.category_code if event.rule else ""
    category = Category.objects.filter(code=code, enabled=True).first() if code else None
    if category is None:
        raise ServiceError(
            "no_category",
            _("The rule names no case category that exists: ask an administrator."),
            "rule",
        )
    return category


def check_confirm(*, event: Event, actor, system: bool = False) -> None:
    if not system:
        _visible(event, actor)
    if event.state == EventState.DISMISSED:
        raise Conflict(
            "already_dismissed", _("This event has been dismissed as a false alarm."), "state"
        )
    if event.state == EventState.NEW:
        _category(event)


def _photos(event: Event) -> list:
    """The snapshot, as the case's report photo (the intake checks it like any upload)."""
    from django.core.files.base import ContentFile

    path = snapshot_path(event)
    return [ContentFile(path.read_bytes(), name="snapshot.jpg")] if path else []


def do_confirm(*, event: Event, actor, note: str = "") -> str:
    """Confirm ``event``: a case at the camera's place with the rule's category. Returns the
    case number; confirming again returns the same number and creates nothing."""
    return _confirm(event, actor, note, system=False)


def _confirm(event: Event, actor, note: str, *, system: bool) -> str:
    """``system``: a rule that raises its case at once, with nobody to check."""
    from gongzhi.cases.choices import Channel
    from gongzhi.cases.intake import services as intake

    check_confirm(event=event, actor=actor, system=system)
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",))
            .select_related("camera", "rule")
            .get(pk=event.pk)
        )
        if event.case_number:
            return event.case_number
        check_confirm(event=event, actor=actor, system=system)
        camera = event.camera
        rule_name = event.rule.name if event.rule else event.rule_code
        note = " ".join(str(note or "").split())[:500]
        report = intake.Report(
            channel=Channel.VIDEO,
            title=_("%(rule)s at %(camera)s") % {"rule": rule_name, "camera": camera.name},
            description="\n".join(
                filter(
                    None,
                    [
                        _("Seen by camera %(camera)s (%(code)s) at %(at)s.")
                        % {
                            "camera": camera.name,
                            "code": camera.code,
                            "at": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                        },
                        note,
                    ],
                )
            ),
            category=_category(event),
            lng=camera.lng,
            lat=camera.lat,
            address=camera.name,
            is_urgent=bool(event.rule and event.rule.urgent),
            idempotency_key=f"sensing-event-{event.pk}",
        )
        case, _created = intake.do_report(report=report, reporter=actor, photos=_photos(event))
        event.state = EventState.CONFIRMED
        event.decided_by = actor
        event.decided_at = timezone.now()
        event.case_number = case.number
        event.save(update_fields=["state", "decided_by", "decided_at", "case_number"])
        push.publish(TOPIC, "event.decided", _message(event), region_path=camera.region_path)
    return event.case_number


def check_dismiss(*, event: Event, actor, reason: str) -> str:
    _visible(event, actor)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ServiceError("required", _("Say why the event is a false alarm."), "dismiss_reason")
    if len(reason) > MAX_REASON:
        raise ServiceError("too_long", _("Keep the reason to 200 characters."), "dismiss_reason")
    if event.state != EventState.NEW:
        raise Conflict("already_decided", _("This event has already been decided."), "state")
    return reason


def do_dismiss(*, event: Event, actor, reason: str) -> Event:
    reason = check_dismiss(event=event, actor=actor, reason=reason)
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",)).select_related("camera").get(pk=event.pk)
        )
        check_dismiss(event=event, actor=actor, reason=reason)
        event.state = EventState.DISMISSED
        event.dismiss_reason = reason
        event.decided_by = actor
        event.decided_at = timezone.now()
        event.save(update_fields=["state", "dismiss_reason", "decided_by", "decided_at"])
        push.publish(TOPIC, "event.decided", _message(event), region_path=event.camera.region_path)
    return event


# -- figures -----------------------------------------------------------------------------------


def false_alarm_rates(user, *, since: dt.datetime | None = None) -> list[dict]:
    """Per camera and rule, of the events decided: how many, how many dismissed, and the
    share dismissed (the false-alarm rate), highest first."""
    events = Event.objects.visible_to(user).exclude(state=EventState.NEW)
    if since is not None:
        events = events.filter(at__gte=since)
    rows = (
        events.values("camera_id", "camera__name", "rule_code")
        .annotate(decided=Count("id"), dismissed=Count("id", filter=Q(state=EventState.DISMISSED)))
        .order_by("camera__name", "rule_code")
    )
    out = [
        {
            "camera_id": r["camera_id"],
            "camera": r["camera__name"],
            "rule_code": r["rule_code"],
            "decided": r["decided"],
            "dismissed": r["dismissed"],
            "rate": r["dismissed"] / r["decided"],
        }
        for r in rows
    ]
    return sorted(out, key=lambda r: -r["rate"])
