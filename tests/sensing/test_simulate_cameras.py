"""The demo simulator plays the video platform's keep-alive: every enabled camera but the
demo's broken ones is heard from, and one marked offline while nothing ran comes back."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.sensing import services, simulate
from gongzhi.sensing.models import Camera
from tests.sensing.factories import CameraFactory, camera_code

pytestmark = pytest.mark.django_db


def test_working_cameras_are_kept_alive_and_broken_ones_stay_offline(sns):
    long_ago = timezone.now() - dt.timedelta(hours=5)
    working = CameraFactory(grid=sns.grid, owner=sns.police, code=camera_code(n=34))
    broken = CameraFactory(grid=sns.grid, owner=sns.police, code=camera_code(n=66))
    retired = CameraFactory(grid=sns.grid, owner=sns.police, code=camera_code(n=35))
    Camera.objects.update(last_seen_at=long_ago)
    Camera.objects.filter(pk=retired.pk).update(enabled=False)
    services.mark_offline()
    mine = Camera.objects.filter(pk__in=[working.pk, broken.pk, retired.pk])
    assert set(mine.filter(offline_since__isnull=False)) == {working, broken}  # not the retired

    simulate.keep_cameras_alive()
    services.mark_offline()

    working.refresh_from_db(), broken.refresh_from_db(), retired.refresh_from_db()
    assert working.is_online and working.last_seen_at > long_ago
    assert not broken.is_online and broken.last_seen_at == long_ago
    assert retired.last_seen_at == long_ago
    assert simulate.is_broken(broken.code) and not simulate.is_broken(working.code)
