"""Registering cameras and devices, heartbeats and the offline sweep."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import NotFound, ServiceError
from gongzhi.sensing import services
from gongzhi.sensing.models import Camera, Device
from gongzhi.sensing.services import CameraIn, DeviceIn
from tests.sensing.factories import CameraFactory, DeviceFactory

pytestmark = pytest.mark.django_db


def camera_in(w, **fields):
    return CameraIn(
        **{
            "code": "63020200001320000901",
            "name": "西关小学门口",
            "type_id": w.types.camera("dome").pk,
            "owner_id": w.police.pk,
            "lng": 102.405,
            "lat": 36.47,
            "direction": 180,
            "stream_url": "rtsp://10.0.0.9/ch1",
            **fields,
        }
    )


def device_in(w, **fields):
    return DeviceIn(
        **{
            "code": "wl-0001",
            "name": "湟水桥下水位",
            "type_id": w.types.device("water_level").pk,
            "owner_id": w.cgj.pk,
            "lng": 102.415,
            "lat": 36.47,
            **fields,
        }
    )


def test_an_owner_registers_a_camera_placed_by_its_point(sns):
    camera = services.do_add_camera(data=camera_in(sns), actor=sns.police_officer)
    camera.refresh_from_db()
    assert camera.grid == sns.grid
    assert camera.region == sns.regions.xiguan
    assert camera.region_path == sns.grid.region_path
    assert camera.last_seen_at is None and not camera.is_online
    assert Camera.objects.visible_to(sns.police_officer).filter(pk=camera.pk).exists()


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("6302020000132000090", "invalid_code"),  # 19 digits
        ("63029900001320000901", "invalid_code"),  # no such region
        ("63020200009990000901", "invalid_code"),  # no such type
        ("63020300001320000901", "code_region"),  # 平安区's code on a camera in 乐都区
    ],
)
def test_a_camera_with_a_bad_code_is_refused_and_nothing_is_written(sns, code, error):
    before = Camera.objects.count()
    with pytest.raises(ServiceError) as caught:
        services.do_add_camera(data=camera_in(sns, code=code), actor=sns.police_officer)
    assert (caught.value.code, caught.value.field) == (error, "code")
    assert Camera.objects.count() == before


def test_every_problem_is_named_at_once(sns):
    data = camera_in(sns, code="123", name="", type_id=None, direction=400, stream_url="ftp://x")
    with pytest.raises(ServiceError) as caught:
        services.check_camera(data=data, actor=sns.police_officer)
    fields = {e.field for e in caught.value.all}
    assert fields == {"code", "name", "type", "direction", "stream_url"}


def test_a_code_already_registered_is_refused(sns):
    with pytest.raises(ServiceError) as caught:
        services.do_add_camera(data=camera_in(sns, code=sns.camera.code), actor=sns.dispatcher)
    assert (caught.value.code, caught.value.field) == ("duplicate", "code")


def test_an_owner_cannot_register_for_another_unit(sns):
    with pytest.raises(ServiceError) as caught:
        services.do_add_camera(data=camera_in(sns, owner_id=sns.cgj.pk), actor=sns.police_officer)
    assert caught.value.field == "owner"
    assert not Camera.objects.filter(name="西关小学门口").exists()


def test_duty_staff_register_for_any_owner_in_their_place_only(sns):
    services.do_add_camera(data=camera_in(sns, owner_id=sns.cgj.pk), actor=sns.dispatcher)
    with pytest.raises(ServiceError) as caught:
        services.do_add_camera(
            data=camera_in(sns, code="63020200001320000902", owner_id=sns.cgj.pk),
            actor=sns.other_dispatcher,
        )
    assert caught.value.field == "owner"


def test_updating_moves_the_camera_and_its_place(sns):
    data = camera_in(sns, code=sns.camera.code, lng=102.415, name="西关街口（迁）")
    camera = services.do_update_camera(camera=sns.camera, data=data, actor=sns.police_officer)
    camera.refresh_from_db()
    assert (camera.name, camera.grid) == ("西关街口（迁）", sns.grid_b)


def test_a_camera_out_of_sight_cannot_be_updated(sns):
    data = camera_in(sns, code=sns.camera.code)
    with pytest.raises(NotFound):
        services.do_update_camera(camera=sns.camera, data=data, actor=sns.other_township_dispatcher)


def test_a_device_is_registered_and_a_bad_one_refused(sns):
    device = services.do_add_device(data=device_in(sns, threshold="3.2"), actor=sns.handler)
    assert (device.grid, device.limit) == (sns.grid_b, 3.2)
    before = Device.objects.count()
    with pytest.raises(ServiceError) as caught:
        services.do_add_device(
            data=device_in(sns, code="wl/0002", threshold="99"), actor=sns.handler
        )
    assert {e.field for e in caught.value.all} == {"code", "threshold"}
    assert Device.objects.count() == before


def test_a_heartbeat_brings_an_offline_camera_back_and_a_late_one_changes_nothing(sns):
    now = timezone.now()
    camera = CameraFactory(
        grid=sns.grid,
        owner=sns.police,
        last_seen_at=now - dt.timedelta(hours=1),
        offline_since=now - dt.timedelta(minutes=57),
    )
    assert services.record_heartbeat(camera=camera, at=now) is True
    camera.refresh_from_db()
    assert (camera.last_seen_at, camera.offline_since, camera.is_online) == (now, None, True)
    assert services.record_heartbeat(camera=camera, at=now - dt.timedelta(minutes=5)) is False
    camera.refresh_from_db()
    assert camera.last_seen_at == now
    with pytest.raises(TypeError):
        services.record_heartbeat(at=now)


def test_the_sweep_marks_silent_ones_offline_from_when_their_silence_passed_the_limit(sns):
    now = timezone.now()
    seen = now - dt.timedelta(minutes=10)
    silent = CameraFactory(grid=sns.grid, owner=sns.police, last_seen_at=seen)
    # A manhole cover reports hourly: ten minutes' silence is nothing, two hours is offline.
    cover_late = DeviceFactory(
        grid=sns.grid, owner=sns.cgj, last_seen_at=now - dt.timedelta(hours=2)
    )
    cover_ok = DeviceFactory(grid=sns.grid, owner=sns.cgj, last_seen_at=seen)
    assert services.mark_offline(now=now) == {"cameras": 1, "devices": 1}
    for record in (silent, cover_late, cover_ok, sns.camera):
        record.refresh_from_db()
    assert silent.offline_since == seen + dt.timedelta(seconds=180)
    assert cover_late.offline_since == now - dt.timedelta(hours=2) + dt.timedelta(seconds=5400)
    assert cover_ok.offline_since is None and sns.camera.offline_since is None
    assert services.mark_offline(now=now) == {"cameras": 0, "devices": 0}
