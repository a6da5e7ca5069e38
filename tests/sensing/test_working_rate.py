"""The working rate (在线率) per grid and owner, on a small known set."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import ServiceError
from gongzhi.sensing.services import working_rate
from tests.sensing.factories import CameraFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(sns):
    """西关1号网格: the world's camera (online), one offline, one never heard from and one
    out of service (not counted); 2号网格: the world's camera_b (online) and a 城管 camera
    that is offline."""
    w, long_ago = sns, timezone.now() - dt.timedelta(hours=3)
    CameraFactory(grid=w.grid, owner=w.police, offline_since=long_ago)
    CameraFactory(grid=w.grid, owner=w.police, last_seen_at=None)
    CameraFactory(grid=w.grid, owner=w.police, enabled=False, last_seen_at=None)
    CameraFactory(grid=w.grid_b, owner=w.cgj, offline_since=long_ago)
    return w


def figures(rates):
    return [(r.name, r.online, r.total, round(r.rate, 4), r.meets_target) for r in rates.rows]


def test_per_grid_worst_first(fleet):
    rates = working_rate(user=fleet.dispatcher, kind="camera", by="grid")
    assert figures(rates) == [
        (fleet.grid.name, 1, 3, 0.3333, False),
        (fleet.grid_b.name, 1, 2, 0.5, False),
    ]
    assert (rates.overall.online, rates.overall.total) == (2, 5)


def test_per_owner(fleet):
    rates = working_rate(user=fleet.dispatcher, by="owner")
    assert figures(rates) == [
        ("乐都区城市管理局", 0, 1, 0.0, False),
        ("碾伯派出所", 2, 4, 0.5, False),
    ]


def test_only_what_the_user_sees_is_counted(fleet):
    # The police station's own four; 平安区's camera and 城管's are not theirs.
    rates = working_rate(user=fleet.police_officer, by="owner")
    assert [(r.online, r.total) for r in rates.rows] == [(2, 4)]
    # 平安镇's dispatcher counts 平安东村's camera only, none of 乐都区's.
    rates = working_rate(user=fleet.other_township_dispatcher)
    assert [(r.key, r.online, r.total) for r in rates.rows] == [(fleet.other_grid.pk, 1, 1)]


def test_a_grid_meets_the_98_percent_target_only_when_at_least_that_share_works(sns):
    for _ in range(48):
        CameraFactory(grid=sns.grid_b, owner=sns.police)  # with camera_b: 49 online
    CameraFactory(grid=sns.grid_b, owner=sns.police, offline_since=timezone.now())
    row = next(r for r in working_rate(user=sns.admin).rows if r.key == sns.grid_b.pk)
    assert (row.online, row.total, row.meets_target) == (49, 50, True)
    CameraFactory(grid=sns.grid_b, owner=sns.police, last_seen_at=None)
    row = next(r for r in working_rate(user=sns.admin).rows if r.key == sns.grid_b.pk)
    assert (row.online, row.total, row.meets_target) == (49, 51, False)


def test_devices_are_counted_the_same_way(sns):
    rates = working_rate(user=sns.handler, kind="device", by="grid")
    assert [(r.name, r.online, r.total) for r in rates.rows] == [(sns.grid.name, 1, 1)]


def test_a_bad_grouping_is_an_error_naming_it(sns):
    with pytest.raises(ServiceError) as caught:
        working_rate(user=sns.admin, by="colour")
    assert caught.value.field == "by"
