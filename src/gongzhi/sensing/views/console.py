"""The duty console (值班台): what the cameras and sensors of the officer's places raise,
as it happens.

The page lists the new video events and the open alarms, a wall of the cameras' latest
frames, a small map of cameras and sensors by status, and the cases they became. It opens
the live push (``gongzhi.core.push``, topic ``sensing``): a message names a row, and the
page fetches that row's fragment here, through the same scoped queryset as the list, so a
message tells a viewer nothing the fragment would not show. Confirming an event makes its
case (``events.do_confirm``), dismissing it needs a reason (``events.do_dismiss``).

Every read is ``visible_to(user)``; a camera's stream address is never sent, only the
frame the watcher last analysed.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.accounts.models import Role
from gongzhi.core import push
from gongzhi.core.errors import ServiceError
from gongzhi.core.scope import scope_for

from .. import events, queries
from ..choices import EventState
from ..models import Alarm, Camera, Event

# Who keeps watch: the duty staff (dispatchers, leaders) and administrators. What each of
# them sees is the app's one rule.
CONSOLE_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMINISTRATOR})
LISTED = 50  # new events, open alarms
WALL = 12  # cameras on the wall
CASES_SINCE = timedelta(days=1)
FRAME_REFRESH_SECONDS = 5


def keeps_watch(user) -> bool:
    return bool(CONSOLE_ROLES & scope_for(user).roles) and queries.sees_sensing(user)


def _duty(request) -> None:
    if not keeps_watch(request.user):
        raise PermissionDenied


def _events(user):
    return Event.objects.visible_to(user).select_related("camera", "rule", "decided_by")


def _alarms(user):
    return Alarm.objects.visible_to(user).select_related("device", "device__type")


def _event_or_404(request, pk: int) -> Event:
    event = _events(request.user).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


def _event_row(request, event: Event, *, error: ServiceError | None = None, status=200):
    response = render(
        request,
        "sensing/console_event.html",
        {"e": event, "error": error, "dismiss_reasons": dismiss_reasons()},
        status=status,
    )
    add_never_cache_headers(response)
    return response


def dismiss_reasons() -> list[str]:
    # Suggestions only: the officer may write any reason.
    return [
        _("False alarm (shadow, light, animal)"),
        _("Authorised activity"),
        _("Already being handled"),
        _("Camera test"),
    ]


# -- the page ----------------------------------------------------------------------------------


@login_required
@require_GET
def console(request):
    _duty(request)
    user = request.user
    # Read before the lists: a message sent while they are read is pushed again, not lost.
    after = push.newest_id()
    new_events = list(_events(user).filter(state=EventState.NEW).order_by("-at", "-id")[:LISTED])
    open_alarms = list(
        _alarms(user).filter(cleared_at__isnull=True).order_by("-raised_at", "-id")[:LISTED]
    )
    wall = list(
        Camera.objects.visible_to(user)
        .filter(enabled=True)
        .order_by("offline_since", "-last_seen_at", "code")
        .only("pk", "code", "name", "enabled", "last_seen_at", "offline_since")[:WALL]
    )
    since = timezone.now() - CASES_SINCE
    cases = sorted(
        [
            {
                "number": e.case_number,
                "at": e.decided_at or e.at,
                "what": e.camera.name,
                "kind": "video",
            }
            for e in _events(user).filter(decided_at__gte=since).exclude(case_number="")[:LISTED]
        ]
        + [
            {"number": a.case_number, "at": a.raised_at, "what": a.device.name, "kind": "sensor"}
            for a in _alarms(user).filter(raised_at__gte=since).exclude(case_number="")[:LISTED]
        ],
        key=lambda c: c["at"],
        reverse=True,
    )[:LISTED]
    for camera in wall:
        camera.status = queries.status_of(camera)
        camera.status_label = queries.Status.label_of(camera.status)
        camera.status_colour = queries.Status.colour_of(camera.status)
    config = {
        "event_url": reverse("sensing:console_event", args=[0]),
        "alarm_url": reverse("sensing:console_alarm", args=[0]),
        "frame_refresh": FRAME_REFRESH_SECONDS * 1000,
        "texts": {"open": _("Open"), "failed": _("The map could not be loaded.")},
    }
    return render(
        request,
        "sensing/console.html",
        {
            "push_after": after,
            "new_events": new_events,
            "open_alarms": open_alarms,
            "wall": wall,
            "cases": cases,
            "console_config": config,
            "dismiss_reasons": dismiss_reasons(),
        },
    )


# -- rows (what a push message fetches) ---------------------------------------------------------


@login_required
@require_GET
def console_event(request, pk: int):
    _duty(request)
    return _event_row(request, _event_or_404(request, pk))


@login_required
@require_GET
def console_alarm(request, pk: int):
    _duty(request)
    alarm = _alarms(request.user).filter(pk=pk).first()
    if alarm is None:
        raise Http404
    response = render(request, "sensing/console_alarm.html", {"a": alarm})
    add_never_cache_headers(response)
    return response


# -- decisions ---------------------------------------------------------------------------------


@login_required
@require_POST
def console_confirm(request, pk: int):
    _duty(request)
    event = _event_or_404(request, pk)
    try:
        events.do_confirm(
            event=event, actor=request.user, note=request.POST.get("note", "").strip()
        )
    except ServiceError as error:
        return _event_row(request, _event_or_404(request, pk), error=error, status=error.status)
    return _event_row(request, _event_or_404(request, pk))


@login_required
@require_POST
def console_dismiss(request, pk: int):
    _duty(request)
    event = _event_or_404(request, pk)
    try:
        events.do_dismiss(
            event=event, actor=request.user, reason=request.POST.get("reason", "").strip()
        )
    except ServiceError as error:
        return _event_row(request, _event_or_404(request, pk), error=error, status=error.status)
    return _event_row(request, _event_or_404(request, pk))


# -- pictures ----------------------------------------------------------------------------------


def _jpeg(file_path) -> FileResponse:
    if file_path is None or not file_path.is_file():
        raise Http404
    response = FileResponse(open(file_path, "rb"), content_type="image/jpeg")
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def console_frame(request, pk: int):
    """The newest frame the watcher analysed of a camera the officer sees (never its stream)."""
    _duty(request)
    camera = Camera.objects.visible_to(request.user).filter(pk=pk).first()
    if camera is None:
        raise Http404
    return _jpeg(events.latest_frame_path(camera))


@login_required
@require_GET
def console_snapshot(request, pk: int):
    _duty(request)
    return _jpeg(events.snapshot_path(_event_or_404(request, pk)))


console_urlpatterns = [
    path("console/", console, name="console"),
    path("console/events/<int:pk>/", console_event, name="console_event"),
    path("console/events/<int:pk>/confirm/", console_confirm, name="console_confirm"),
    path("console/events/<int:pk>/dismiss/", console_dismiss, name="console_dismiss"),
    path("console/events/<int:pk>/snapshot.jpg", console_snapshot, name="console_snapshot"),
    path("console/alarms/<int:pk>/", console_alarm, name="console_alarm"),
    path("console/cameras/<int:pk>/frame.jpg", console_frame, name="console_frame"),
]
