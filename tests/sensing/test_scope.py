"""Who sees which cameras, devices, readings, alarms and events (``access``)."""

import pytest
from django.utils import timezone

from gongzhi.sensing.models import Alarm, Camera, Device, Event, Reading

pytestmark = pytest.mark.django_db


def names(model, user):
    return set(model.objects.visible_to(user).values_list("name", flat=True))


def with_history(w):
    """An event of each camera and a reading and an alarm of the manhole cover."""
    now = timezone.now()
    for camera in (w.camera, w.camera_b, w.other_camera):
        Event.objects.create(camera=camera, rule_code="zone_enter", at=now)
    Reading.objects.create(device=w.cover, at=now, value=21.0)
    Alarm.objects.create(device=w.cover, raised_at=now, value=21.0)


def test_an_owner_sees_its_own_cameras_wherever_they_are_and_nothing_else(sns):
    with_history(sns)
    assert names(Camera, sns.police_officer) == {"西关街口", "西关广场"}
    assert not Device.objects.visible_to(sns.police_officer).exists()
    assert Event.objects.visible_to(sns.police_officer).count() == 2
    assert not Reading.objects.visible_to(sns.police_officer).exists()
    # The bureau above the police station sees its station's cameras too.
    assert names(Camera, sns.gaj_officer) == {"西关街口", "西关广场"}


def test_an_owner_unit_sees_only_its_own_devices_not_the_others_in_its_county(sns):
    with_history(sns)
    # 城管's handler serves all 乐都区 but owns only the manhole cover.
    assert names(Device, sns.handler) == {"西关街12号井盖"}
    assert not Camera.objects.visible_to(sns.handler).exists()
    assert Reading.objects.visible_to(sns.handler).count() == 1
    assert Alarm.objects.visible_to(sns.handler).count() == 1
    assert not Event.objects.visible_to(sns.handler).exists()


def test_another_townships_dispatcher_sees_nothing_here(sns):
    with_history(sns)
    user = sns.other_township_dispatcher
    assert not Camera.objects.visible_to(user).exclude(pk=sns.other_camera.pk).exists()
    assert not Device.objects.visible_to(user).exists()
    assert not Alarm.objects.visible_to(user).exists()
    assert not Reading.objects.visible_to(user).exists()
    assert list(Event.objects.visible_to(user).values_list("camera__name", flat=True)) == [
        "平安东村"
    ]


def test_the_duty_staff_of_a_place_see_everything_there_whoever_owns_it(sns):
    with_history(sns)
    for user in (sns.township_dispatcher, sns.dispatcher):
        assert names(Camera, user) == {"西关街口", "西关广场"}
        assert names(Device, user) == {"西关街12号井盖"}
        assert Event.objects.visible_to(user).count() == 2
    assert names(Camera, sns.other_dispatcher) == {"平安东村"}
    assert names(Camera, sns.city_dispatcher) == {"西关街口", "西关广场", "平安东村"}


def test_administrators_see_all(sns):
    with_history(sns)
    assert names(Camera, sns.admin) == {"西关街口", "西关广场", "平安东村"}
    assert Device.objects.visible_to(sns.admin).count() == 1
    assert Event.objects.visible_to(sns.admin).count() == 3


def test_grid_workers_other_departments_and_residents_see_none(sns):
    with_history(sns)
    for user in (sns.grid_worker, sns.zjj_handler, sns.resident, sns.operator):
        assert not Camera.objects.visible_to(user).exists(), user
        assert not Device.objects.visible_to(user).exists(), user
        assert not Event.objects.visible_to(user).exists(), user
