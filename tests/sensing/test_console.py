"""The duty console's pages: who may keep watch, the rows a push message fetches (scoped),
confirming and dismissing an event, and the camera wall's frames (never a stream)."""

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzhi.cases.choices import Channel
from gongzhi.cases.models import Case
from gongzhi.core.models import PushMessage
from gongzhi.sensing import events
from gongzhi.sensing.choices import EventState
from gongzhi.sensing.models import Alarm, Event, Rule, RuleKind
from tests.factories import seeded_taxonomy

pytestmark = pytest.mark.django_db


@pytest.fixture
def watch(sns):
    seeded_taxonomy()
    Rule.objects.create(
        camera=sns.camera,
        code="zone_enter",
        name="进入禁区",
        kind=RuleKind.ZONE,
        category_code="G05.01",
    )
    sns.event = Event.objects.create(camera=sns.camera, rule_code="zone_enter", at=timezone.now())
    sns.event.rule = sns.camera.rules.get()
    sns.event.save()
    sns.other_event = Event.objects.create(
        camera=sns.other_camera, rule_code="zone_enter", at=timezone.now()
    )
    sns.alarm = Alarm.objects.create(device=sns.cover, raised_at=timezone.now(), value=30.0)
    return sns


def url(name, *args):
    return reverse(f"sensing:{name}", args=args)


def test_the_duty_officer_sees_the_new_events_and_open_alarms_of_their_places(client, watch):
    client.force_login(watch.township_dispatcher)
    page = client.get(url("console"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="event-{watch.event.pk}"' in html
    assert f'id="event-{watch.other_event.pk}"' not in html
    assert f'id="alarm-{watch.alarm.pk}"' in html
    assert 'data-push-topic="sensing"' in html
    assert page.context["push_after"] == (
        PushMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0
    )


@pytest.mark.parametrize("who", ["police_officer", "resident", "handler"])
def test_only_duty_staff_and_administrators_open_the_console(client, watch, who):
    client.force_login(getattr(watch, who))
    assert client.get(url("console")).status_code == 403
    assert client.get(url("console_event", watch.event.pk)).status_code == 403


def test_the_console_asks_a_stranger_to_sign_in(client, watch):
    assert client.get(url("console")).status_code == 302


def test_a_row_is_served_only_within_the_officers_scope(client, watch):
    client.force_login(watch.township_dispatcher)
    assert client.get(url("console_event", watch.event.pk)).status_code == 200
    assert client.get(url("console_event", watch.other_event.pk)).status_code == 404
    assert client.get(url("console_alarm", watch.alarm.pk)).status_code == 200
    client.force_login(watch.other_township_dispatcher)
    assert client.get(url("console_alarm", watch.alarm.pk)).status_code == 404
    assert client.get(url("console_event", watch.event.pk)).status_code == 404


def test_confirming_an_event_makes_a_video_case_and_shows_its_number(
    client, watch, django_capture_on_commit_callbacks
):
    client.force_login(watch.township_dispatcher)
    with django_capture_on_commit_callbacks(execute=True):
        row = client.post(url("console_confirm", watch.event.pk))
    assert row.status_code == 200
    watch.event.refresh_from_db()
    assert watch.event.state == EventState.CONFIRMED
    case = Case.objects.get(number=watch.event.case_number)
    assert case.channel == Channel.VIDEO
    assert reverse("cases:detail", args=[case.number]) in row.content.decode()
    # A second click (another officer's, a retry) shows the same case and makes none.
    again = client.post(url("console_confirm", watch.event.pk))
    assert again.status_code == 200
    assert case.number in again.content.decode()
    assert Case.objects.filter(channel=Channel.VIDEO).count() == 1


def test_a_dismissed_event_cannot_be_confirmed(client, watch):
    client.force_login(watch.township_dispatcher)
    client.post(url("console_dismiss", watch.event.pk), {"reason": "误报"})
    refused = client.post(url("console_confirm", watch.event.pk))
    assert refused.status_code == 409
    assert 'data-testid="console-error"' in refused.content.decode()
    assert not Case.objects.filter(channel=Channel.VIDEO).exists()


def test_dismissing_needs_a_reason(client, watch):
    client.force_login(watch.township_dispatcher)
    refused = client.post(url("console_dismiss", watch.event.pk), {"reason": "  "})
    assert refused.status_code == 400
    assert 'data-testid="console-error"' in refused.content.decode()
    watch.event.refresh_from_db()
    assert watch.event.state == EventState.NEW
    done = client.post(url("console_dismiss", watch.event.pk), {"reason": "树影晃动,误报"})
    assert done.status_code == 200
    watch.event.refresh_from_db()
    assert (watch.event.state, watch.event.dismiss_reason) == (
        EventState.DISMISSED,
        "树影晃动,误报",
    )
    assert 'data-testid="event-dismissed"' in done.content.decode()


def test_an_officer_cannot_decide_an_event_they_do_not_see(client, watch):
    client.force_login(watch.other_township_dispatcher)
    assert client.post(url("console_confirm", watch.event.pk)).status_code == 404
    assert client.post(url("console_dismiss", watch.event.pk), {"reason": "x"}).status_code == 404
    watch.event.refresh_from_db()
    assert watch.event.state == EventState.NEW


def test_the_camera_wall_shows_the_latest_frame_and_never_the_stream(
    client, watch, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    watch.camera.stream_url = "rtsp://admin:s3cret@10.0.0.8/live"
    watch.camera.save()
    client.force_login(watch.township_dispatcher)
    page = client.get(url("console")).content.decode()
    assert "s3cret" not in page and "rtsp://" not in page
    frame = url("console_frame", watch.camera.pk)
    assert frame in page
    assert client.get(frame).status_code == 404  # the watcher has written none yet
    path = events.latest_frame_path(watch.camera)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff\xe0 a jpeg")
    answer = client.get(frame)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/jpeg"
    assert "no-cache" in answer["Cache-Control"] or "max-age=0" in answer["Cache-Control"]
    assert b"".join(answer.streaming_content).startswith(b"\xff\xd8")
    # Another township's officer gets nothing of this camera.
    client.force_login(watch.other_township_dispatcher)
    assert client.get(frame).status_code == 404


def test_an_events_snapshot_is_served_within_scope(client, watch, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_SENSING_BLUR_FACES = False
    watch.camera.rules.update(dedup_seconds=0)  # the fixture's event is seconds old
    buffer = BytesIO()
    Image.new("RGB", (64, 36), (40, 40, 40)).save(buffer, "JPEG")
    event = events.record_event(
        camera=watch.camera,
        rule_code="zone_enter",
        at=timezone.now(),
        details={},
        snapshot_jpeg=buffer.getvalue(),
    )
    client.force_login(watch.township_dispatcher)
    row = client.get(url("console_event", event.pk)).content.decode()
    assert url("console_snapshot", event.pk) in row
    answer = client.get(url("console_snapshot", event.pk))
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == buffer.getvalue()
    assert client.get(url("console_snapshot", watch.event.pk)).status_code == 404  # none
    client.force_login(watch.other_township_dispatcher)
    assert client.get(url("console_snapshot", event.pk)).status_code == 404
