"""Video events: recorded once per episode, confirmed into a case through the intake
(channel VIDEO, at the camera, routed), dismissed only with a reason, decided only by those
who see the camera, and the false-alarm rate per camera and rule."""

import datetime as dt

import cv2
import numpy as np
import pytest
from django.utils import timezone

from gongzhi.cases.choices import Channel, State
from gongzhi.cases.models import Case
from gongzhi.core.errors import Conflict, NotFound, ServiceError
from gongzhi.core.models import PushMessage
from gongzhi.sensing import events
from gongzhi.sensing.choices import EventState
from gongzhi.sensing.models import Event
from tests.sensing.factories import RuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def jpeg() -> bytes:
    frame = np.full((120, 160, 3), 200, np.uint8)
    cv2.rectangle(frame, (60, 20), (100, 110), (30, 30, 30), -1)
    return cv2.imencode(".jpg", frame)[1].tobytes()


def record(w, rule, *, seconds=0, **fields):
    return events.record_event(
        camera=w.camera,
        rule_code=rule.code,
        at=timezone.now() + dt.timedelta(seconds=seconds),
        details={"people": 1, "boxes": [[60, 20, 100, 110]]},
        **fields,
    )


def test_record_keeps_the_snapshot_and_pushes_to_the_console(
    sns, var, django_capture_on_commit_callbacks
):
    w = sns
    rule = RuleFactory(camera=w.camera)
    with django_capture_on_commit_callbacks(execute=True):
        event = record(w, rule, snapshot_jpeg=jpeg())
    assert event.state == EventState.NEW and event.rule == rule
    path = events.snapshot_path(event)
    assert path is not None and path.is_relative_to(var) and path.read_bytes()[:2] == b"\xff\xd8"
    message = PushMessage.objects.get(kind="event.new")
    assert message.topic == "sensing" and message.region_path == w.camera.region_path
    assert "stream" not in str(message.data)


def test_one_event_per_dedup_window(sns, var):
    w = sns
    rule = RuleFactory(camera=w.camera, dedup_seconds=30)
    first = record(w, rule)
    assert first is not None
    assert record(w, rule, seconds=10) is None
    assert record(w, rule, seconds=31) is not None
    # Another rule of the same camera has its own window.
    assert record(w, RuleFactory(camera=w.camera, dedup_seconds=30)) is not None
    assert Event.objects.count() == 3


def test_confirm_raises_a_routed_case_at_the_camera(sns, var, django_capture_on_commit_callbacks):
    w = sns
    rule = RuleFactory(camera=w.camera, name="井盖周边禁区", urgent=True)
    event = record(w, rule, snapshot_jpeg=jpeg())
    with django_capture_on_commit_callbacks(execute=True):
        number = events.do_confirm(event=event, actor=w.township_dispatcher, note="已查看录像")
    case = Case.objects.get(number=number)
    assert case.channel == Channel.VIDEO == "video"
    assert case.category == w.manhole and case.is_urgent
    assert (case.lng, case.lat) == (w.camera.lng, w.camera.lat)
    assert case.grid_id == w.grid.pk
    # The video channel is accepted and dispatched at once: an officer has seen it.
    assert case.state == State.DISPATCHED and case.owner_id == w.cgj.pk
    assert "已查看录像" in case.description
    assert case.attachments.filter(stage="report").exists()  # the snapshot goes with it
    event.refresh_from_db()
    assert event.state == EventState.CONFIRMED and event.case_number == number
    assert event.decided_by == w.township_dispatcher
    assert PushMessage.objects.filter(kind="event.decided").exists()
    # Confirming again (a double click, a retry) gives the same case.
    assert events.do_confirm(event=event, actor=w.township_dispatcher) == number
    assert Case.objects.filter(channel=Channel.VIDEO).count() == 1


def test_a_rule_may_raise_its_case_at_once(sns, var):
    w = sns
    event = record(w, RuleFactory(camera=w.camera, creates_case_directly=True))
    assert event.state == EventState.CONFIRMED and event.decided_by is None
    assert Case.objects.get(number=event.case_number).channel == Channel.VIDEO


def test_a_rule_without_a_category_leaves_the_event_to_an_officer(sns, var):
    w = sns
    event = record(w, RuleFactory(camera=w.camera, creates_case_directly=True, category_code="x"))
    assert event.state == EventState.NEW and not event.case_number
    with pytest.raises(ServiceError) as error:
        events.do_confirm(event=event, actor=w.township_dispatcher)
    assert error.value.code == "no_category"
    assert not Case.objects.filter(channel=Channel.VIDEO).exists()


def test_dismiss_needs_a_reason(sns, var):
    w = sns
    event = record(w, RuleFactory(camera=w.camera))
    for reason in ("", "   ", None):
        with pytest.raises(ServiceError) as error:
            events.do_dismiss(event=event, actor=w.township_dispatcher, reason=reason)
        assert error.value.field == "dismiss_reason"
    with pytest.raises(ServiceError):
        events.do_dismiss(event=event, actor=w.township_dispatcher, reason="x" * 201)
    event.refresh_from_db()
    assert event.state == EventState.NEW
    events.do_dismiss(event=event, actor=w.township_dispatcher, reason="  树影晃动  ")
    event.refresh_from_db()
    assert event.state == EventState.DISMISSED and event.dismiss_reason == "树影晃动"
    # A dismissed event is no case, and is decided once.
    with pytest.raises(Conflict):
        events.do_confirm(event=event, actor=w.township_dispatcher)
    with pytest.raises(Conflict):
        events.do_dismiss(event=event, actor=w.township_dispatcher, reason="again")


def test_only_those_who_see_the_camera_decide(sns, var):
    w = sns
    event = record(w, RuleFactory(camera=w.camera))
    for outsider in (w.other_township_dispatcher, w.other_handler, w.resident):
        with pytest.raises(NotFound):
            events.do_confirm(event=event, actor=outsider)
        with pytest.raises(NotFound):
            events.do_dismiss(event=event, actor=outsider, reason="看不到")
    with pytest.raises(NotFound):
        events.do_confirm(event=event, actor=None)
    event.refresh_from_db()
    assert event.state == EventState.NEW
    assert not Case.objects.filter(channel=Channel.VIDEO).exists()
    # The owner unit's officer sees its own cameras.
    assert events.do_confirm(event=event, actor=w.police_officer)


def test_false_alarm_rates_per_camera_and_rule(sns, var):
    w = sns
    noisy, good = RuleFactory(camera=w.camera, dedup_seconds=1), RuleFactory(camera=w.camera)
    for n in range(4):
        event = record(w, noisy, seconds=n * 5)
        if n < 3:
            events.do_dismiss(event=event, actor=w.township_dispatcher, reason="风吹")
        else:
            events.do_confirm(event=event, actor=w.township_dispatcher)
    record(w, good)  # undecided: not counted
    rates = events.false_alarm_rates(w.township_dispatcher)
    assert rates == [
        {
            "camera_id": w.camera.pk,
            "camera": w.camera.name,
            "rule_code": noisy.code,
            "decided": 4,
            "dismissed": 3,
            "rate": 0.75,
        }
    ]
    assert events.false_alarm_rates(w.other_township_dispatcher) == []


def test_stored_files_outside_var_are_never_served(sns, var):
    w = sns
    event = record(w, RuleFactory(camera=w.camera))
    event.snapshot = "../../etc/passwd"
    assert events.snapshot_path(event) is None
    event.snapshot = ""
    assert events.snapshot_path(event) is None


def test_rules_are_edited_in_the_admin_with_a_checked_zone(client, sns):
    from django.urls import reverse

    from gongzhi.sensing.models import Rule

    w = sns
    client.force_login(w.admin)
    url = reverse("admin:sensing_rule_add")
    form = {
        "camera": w.camera.pk,
        "code": "gate",
        "name": "校门禁区",
        "kind": "zone",
        "zone": "[[0, 0], [2, 0], [0, 1]]",
        "people": "1",
        "seconds": "0",
        "dedup_seconds": "60",
        "category_code": w.manhole.code,
        "enabled": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and not Rule.objects.exists()
    assert "0 to 1" in response.content.decode() or "0 到 1" in response.content.decode()
    form["zone"] = "[[0.1, 0.5], [0.9, 0.5], [0.9, 1], [0.1, 1]]"
    assert client.post(url, form).status_code == 302
    rule = Rule.objects.get(code="gate")
    assert rule.zone[0] == [0.1, 0.5] and rule.camera == w.camera
