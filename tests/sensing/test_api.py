"""The sensing API with bearer tokens, as an app, a video platform or a sensor gateway calls
it: lists and details in the caller's scope, the stream address for administrators only,
readings and events posted with a token, confirm and dismiss, figures, and bad bodies
refused in the one error shape with nothing changed."""

import base64
import datetime as dt
import io

import pytest
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.sensing.models import Alarm, Camera, Event, Reading, Rule
from tests.api import conftest as api_fixtures

as_token = api_fixtures.as_token

pytestmark = pytest.mark.django_db

STREAM = "rtsp://admin:Secret123@10.1.2.3:554/h264"
ERROR_KEYS = {"error", "message", "field"}
JPEG = bytes.fromhex("ffd8ffe000104a46494600") + b"\x00" * 64 + bytes.fromhex("ffd9")


@pytest.fixture
def w(sns):
    Camera.objects.filter(pk=sns.camera.pk).update(stream_url=STREAM)
    return sns


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["items"]}


def test_lists_and_details_are_scoped(w, as_token):
    cases = [
        (w.admin, {w.camera.pk, w.camera_b.pk, w.other_camera.pk}, {w.cover.pk}),
        (w.township_dispatcher, {w.camera.pk, w.camera_b.pk}, {w.cover.pk}),
        (w.other_township_dispatcher, {w.other_camera.pk}, set()),
        (w.police_officer, {w.camera.pk, w.camera_b.pk}, set()),
        (w.handler, set(), {w.cover.pk}),
        (w.grid_worker, set(), set()),
    ]
    for user, cameras, devices in cases:
        api = as_token(user)
        assert ids(api.get("/sensing/cameras")) == cameras, user.username
        assert ids(api.get("/sensing/devices")) == devices, user.username
        status = api.get(f"/sensing/cameras/{w.camera.pk}").status_code
        assert status == (200 if w.camera.pk in cameras else 404), user.username
        status = api.get(f"/sensing/devices/{w.cover.pk}").status_code
        assert status == (200 if w.cover.pk in devices else 404), user.username


def test_the_stream_address_is_for_administrators_only(w, as_token):
    admin = as_token(w.admin)
    assert admin.get(f"/sensing/cameras/{w.camera.pk}").json()["stream_url"] == STREAM
    rows = {r["id"]: r for r in admin.get("/sensing/cameras").json()["items"]}
    assert rows[w.camera.pk]["stream_url"] == STREAM
    for user in (w.township_dispatcher, w.police_officer):
        api = as_token(user)
        detail = api.get(f"/sensing/cameras/{w.camera.pk}")
        assert detail.json()["stream_url"] is None
        assert "Secret123" not in api.get("/sensing/cameras").content.decode()


def test_filters_and_pages(w, as_token):
    Camera.objects.filter(pk=w.camera_b.pk).update(offline_since=timezone.now())
    api = as_token(w.admin)
    assert ids(api.get("/sensing/cameras", {"grid": w.grid_b.code})) == {w.camera_b.pk}
    assert ids(api.get("/sensing/cameras", {"status": "offline"})) == {w.camera_b.pk}
    assert ids(api.get("/sensing/cameras", {"region": "630203"})) == {w.other_camera.pk}
    assert ids(api.get("/sensing/cameras", {"owner": w.other_cgj.pk})) == {w.other_camera.pk}
    page = api.get("/sensing/cameras", {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    for params, field in [
        ({"grid": "nope"}, "grid"),
        ({"type": "nope"}, "type"),
        ({"status": "sleeping"}, "status"),
        ({"page_size": 1000}, "page_size"),
    ]:
        response = api.get("/sensing/cameras", params)
        assert response.status_code == 400, params
        assert ERROR_KEYS <= set(response.json()) and response.json()["field"] == field


# -- readings ----------------------------------------------------------------------------------


def test_a_time_with_any_iso_offset_is_read_or_refused_never_a_server_error(w, as_token):
    api = as_token(w.admin)
    # ISO 8601 allows offsets up to ±23:59; PostgreSQL stores up to ±15:59.
    for path in ("/sensing/events", "/sensing/alarms"):
        odd = api.get(path, {"since": "2026-12-01T08:00:00+23:02"})
        assert odd.status_code == 200, odd.content
        assert api.get(path, {"since": "0001-01-01T00:00:00+23:59"}).status_code in (200, 400)


def test_a_gateway_posts_readings_and_an_alarm_becomes_a_case(w, as_token):
    api = as_token(w.handler)
    now = timezone.now()
    for i, value in enumerate([3, 40, 41]):  # the cover's type: two readings past 15° raise
        response = api.post(
            "/sensing/readings",
            {
                "device": w.cover.code,
                "value": value,
                "at": (now + dt.timedelta(seconds=i)).isoformat(),
            },
        )
        assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "alarm" and body["raised"] and body["case_number"]
    assert Reading.objects.filter(device=w.cover).count() == 3
    alarm = Alarm.objects.get(device=w.cover)
    listed = as_token(w.handler).get("/sensing/alarms", {"open": "true"}).json()["items"]
    assert [a["id"] for a in listed] == [alarm.pk] and listed[0]["case_number"] == body[
        "case_number"
    ]
    assert (
        as_token(w.other_township_dispatcher).get(f"/sensing/alarms/{alarm.pk}").status_code == 404
    )


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"device": "nope", "value": 1}, 404, "device"),
        ({"device": "COVER", "value": 1000}, 400, "value"),  # a cover tilts 0–90°
        ({"device": "COVER", "value": "high"}, 400, "value"),
        ({"device": "COVER"}, 400, "value"),
        ({"device": "COVER", "value": 1, "at": "2999-01-01T00:00:00+08:00"}, 400, "at"),
        ({"device": "COVER", "value": 1, "at": "yesterday"}, 400, "at"),
    ],
)
def test_bad_readings_are_refused_and_nothing_is_stored(w, as_token, body, status, field):
    body = {**body, "device": w.cover.code if body["device"] == "COVER" else body["device"]}
    response = as_token(w.handler).post("/sensing/readings", body)
    assert response.status_code == status, response.content
    assert ERROR_KEYS <= set(response.json()) and response.json()["field"] == field
    assert not Reading.objects.exists()


def test_a_reading_for_a_sensor_outside_the_scope_is_not_taken(w, as_token):
    response = as_token(w.police_officer).post(
        "/sensing/readings", {"device": w.cover.code, "value": 50}
    )
    assert response.status_code == 404
    assert not Reading.objects.exists()


def test_without_a_valid_token_nothing_is_taken(w, client):
    response = client.post(
        "/api/v1/sensing/readings",
        {"device": w.cover.code, "value": 50},
        content_type="application/json",
        headers={"Authorization": "Bearer gz_wrong"},
    )
    assert response.status_code == 401 and response.json()["error"] == "not_authenticated"
    assert not Reading.objects.exists()


# -- events ------------------------------------------------------------------------------------


def event_body(w, **extra) -> dict:
    return {
        "camera": w.camera.code,
        "rule": "zone",
        "at": timezone.now().isoformat(),
        "details": {"people": 1, "boxes": [[10, 20, 50, 120]]},
        **extra,
    }


@pytest.mark.parametrize(
    "change, status, field",
    [
        ({"camera": "63020200001320009999"}, 404, "camera"),
        ({"rule": ""}, 400, "rule"),
        ({"rule": "loitering"}, 400, "rule"),  # no such rule on this camera
        ({"at": "not a time"}, 400, "at"),
        ({"at": "2999-01-01T00:00:00+08:00"}, 400, "at"),
        ({"details": [1, 2]}, 400, "details"),
        ({"snapshot": "%%%not base64"}, 400, "snapshot"),
        ({"snapshot": base64.b64encode(b"GIF89a....").decode()}, 400, "snapshot"),
    ],
)
def test_bad_event_bodies_are_refused_and_nothing_is_stored(w, as_token, change, status, field):
    rules(w)
    response = as_token(w.police_officer).post("/sensing/events", event_body(w, **change))
    assert response.status_code == status, response.content
    assert ERROR_KEYS <= set(response.json()) and response.json()["field"] == field
    assert not Event.objects.exists()


def test_a_platform_cannot_post_for_a_camera_outside_its_scope(w, as_token):
    rules(w)
    response = as_token(w.other_township_dispatcher).post("/sensing/events", event_body(w))
    assert response.status_code == 404
    assert not Event.objects.exists()


def a_jpeg() -> str:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 90, 100)).save(out, "JPEG")
    return base64.b64encode(out.getvalue()).decode()


def rules(w):
    for code, name, kind in [("zone", "禁区闯入", "zone"), ("crowd", "人员聚集", "crowd")]:
        Rule.objects.create(
            camera=w.camera, code=code, name=name, kind=kind, category_code="G02.01"
        )


def test_a_platform_posts_an_event_and_a_duty_officer_confirms_it(w, as_token):
    rules(w)
    platform = as_token(w.police_officer)  # the owner's video platform, with its token
    response = platform.post("/sensing/events", event_body(w))
    assert response.status_code == 201, response.content
    event = response.json()["event"]
    assert event["camera"] == w.camera.code and event["state"] == "new"
    # The same rule again within its dedup window: nothing new.
    again = platform.post("/sensing/events", event_body(w))
    assert again.status_code == 200 and again.json() == {"created": False, "event": None}
    assert Event.objects.count() == 1

    duty = as_token(w.township_dispatcher)
    assert [e["id"] for e in duty.get("/sensing/events", {"state": "new"}).json()["items"]] == [
        event["id"]
    ]
    assert (
        as_token(w.other_township_dispatcher).get(f"/sensing/events/{event['id']}").status_code
        == 404
    )
    response = duty.post(f"/sensing/events/{event['id']}/confirm", {"note": "确有人员闯入"})
    assert response.status_code == 200, response.content
    number = response.json()["case_number"]
    assert Case.objects.filter(number=number).exists()
    assert response.json()["event"]["state"] == "confirmed"
    twice = duty.post(f"/sensing/events/{event['id']}/confirm", {})
    # A retried confirmation (a lost answer) gives the same case, not a second one.
    assert twice.status_code == 200 and twice.json()["case_number"] == number
    dismissed = duty.post(f"/sensing/events/{event['id']}/dismiss", {"reason": "误报"})
    assert dismissed.status_code == 409 and ERROR_KEYS <= set(dismissed.json())
    assert Case.objects.filter(number=number).count() == 1


def test_an_event_carries_its_snapshot(w, as_token):
    rules(w)
    response = as_token(w.police_officer).post("/sensing/events", event_body(w, snapshot=a_jpeg()))
    assert response.status_code == 201, response.content
    assert response.json()["event"]["has_snapshot"]
    assert Event.objects.get().snapshot


def test_a_dismissal_needs_a_reason(w, as_token):
    rules(w)
    created = as_token(w.police_officer).post("/sensing/events", event_body(w, rule="crowd"))
    pk = created.json()["event"]["id"]
    duty = as_token(w.township_dispatcher)
    response = duty.post(f"/sensing/events/{pk}/dismiss", {"reason": ""})
    assert response.status_code == 400 and response.json()["field"] == "reason"
    assert Event.objects.get(pk=pk).state == "new"
    response = duty.post(f"/sensing/events/{pk}/dismiss", {"reason": "树影晃动"})
    assert response.status_code == 200 and response.json()["state"] == "dismissed"
    assert response.json()["dismiss_reason"] == "树影晃动"


def test_the_figures(w, as_token):
    Camera.objects.filter(pk=w.camera_b.pk).update(offline_since=timezone.now())
    body = as_token(w.township_dispatcher).get("/sensing/figures").json()
    assert body["cameras"] == {"total": 2, "online": 1}
    assert body["camera_rates"]["grid"]["overall"]["rate"] == 0.5
    assert body["camera_rates"]["grid"]["overall"]["meets_target"] is False
    assert as_token(w.admin).get("/sensing/figures", {"days": 0}).status_code == 400


def test_a_list_costs_the_same_queries_for_many_rows(w, as_token, django_assert_max_num_queries):
    from tests.sensing.factories import CameraFactory

    for _ in range(40):
        CameraFactory(grid=w.grid, owner=w.police)
    api = as_token(w.admin)
    with django_assert_max_num_queries(12):
        assert len(ids(api.get("/sensing/cameras"))) == 43


def test_an_out_of_service_camera_reports_nothing(w, as_token):
    rules(w)
    Camera.objects.filter(pk=w.camera.pk).update(enabled=False)
    response = as_token(w.police_officer).post("/sensing/events", event_body(w))
    assert response.status_code == 409 and response.json()["error"] == "out_of_service"
    assert not Event.objects.exists()
