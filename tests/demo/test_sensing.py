"""The demo's cameras and sensors, loaded once on the demo's own regions and units: codes
that pass the national check, places copied from the grid, the broken cameras the
simulator keeps silent, some grids without a camera, a day of readings, alarms whose cases
went to the devices' owners, and the sample-video cameras with their rules."""

from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.demo import accounts as demo_accounts
from gongzhi.demo import categories as demo_categories
from gongzhi.demo import regions as demo_regions
from gongzhi.demo import sensing as demo_sensing
from gongzhi.regions import lookup
from gongzhi.regions.models import Grid
from gongzhi.sensing import codes, simulate
from gongzhi.sensing.models import Alarm, Camera, Device, Reading, Rule


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            lookup.invalidate()
            demo_regions.load()
            demo_accounts.load()
            demo_categories.load()
            yield demo_sensing.load()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            lookup.invalidate()


@pytest.fixture
def demo(loaded, db):
    return loaded


def test_cameras_across_the_city_with_valid_codes_and_their_grids_places(demo):
    cameras = Camera.objects.select_related("grid")
    assert 3_000 <= cameras.count() == demo["cameras"] <= 7_000
    for camera in cameras[:500]:
        assert codes.parse_camera(camera.code).is_camera
        assert camera.region_path == camera.grid.region_path
        assert camera.region_id == camera.grid.community_id
    grids = Grid.objects.filter(is_active=True).count()
    without = (
        Grid.objects.filter(is_active=True).exclude(pk__in=Camera.objects.values("grid")).count()
    )
    assert 0.03 * grids <= without <= 0.2 * grids  # the map's "no camera" layer shows some
    social = Camera.objects.filter(social=True)
    assert 0.1 <= social.count() / cameras.count() <= 0.25
    assert social.filter(owner__kind="property_company").exists()
    assert demo_sensing.load() == {}  # once


def test_the_broken_cameras_are_the_ones_the_simulator_keeps_silent(demo):
    offline = set(Camera.objects.filter(offline_since__isnull=False).values_list("code", flat=True))
    broken = {c for c in Camera.objects.values_list("code", flat=True) if simulate.is_broken(c)}
    assert offline == broken
    assert 0.02 <= len(offline) / Camera.objects.count() <= 0.05
    # Kept alive for a while, the working ones stay online and the broken ones do not.
    simulate.keep_cameras_alive(timezone.now())
    assert Camera.objects.online().count() == Camera.objects.count() - len(broken)


def test_devices_of_every_type_with_a_day_of_readings_and_alarms_sent_to_their_owners(demo):
    kinds = Counter(Device.objects.values_list("type__code", flat=True))
    assert set(kinds) == {"manhole_cover", "water_level", "smoke", "gas", "hydrant"}
    assert demo["readings"] == 24 * Device.objects.count()
    assert Reading.objects.count() > demo["readings"]  # and the readings that raised alarms
    assert Device.objects.filter(last_value__isnull=True).count() == 0
    alarms = Alarm.objects.select_related("device")
    assert alarms.count() == demo["alarms"] >= 1
    from gongzhi.cases.models import Case

    for alarm in alarms:
        case = Case.objects.get(number=alarm.case_number)
        assert case.owner_id == alarm.device.owner_id and case.state == "dispatched"


def test_the_police_station_sees_its_townships_cameras(demo):
    police = User.objects.get(username="demo_police")
    station = police.memberships.get().organisation
    seen = Camera.objects.visible_to(police)
    assert seen.exists()
    assert not seen.exclude(owner__path__startswith=station.path).exists()  # its own only


def test_the_sample_video_cameras_play_on_a_loop_with_their_rules(demo):
    if not demo_sensing.video_dir().is_dir():
        pytest.skip(f"the sample videos are not here ({demo_sensing.video_dir()})")
    playing = Camera.objects.exclude(stream_url="")
    assert playing.count() == len(demo_sensing.VIDEO_CAMERAS)
    assert {r.kind for r in Rule.objects.filter(camera__in=playing)} == {
        "zone",
        "loitering",
        "crowd",
        "object",
    }
    assert Rule.objects.filter(creates_case_directly=True).count() == 1
