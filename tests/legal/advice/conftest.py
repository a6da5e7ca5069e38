"""The advice room's world: the legal world plus a duty roster at 乐都区's centre
(``w.lawyer`` on duty today, ``w.other_lawyer`` on the roster) and helpers."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.workdays import LOCAL_TZ
from gongzhi.legal.advice import search
from gongzhi.legal.models import DutyShift
from gongzhi.regions.models import Region


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=LOCAL_TZ)


@pytest.fixture
def advice(legal):
    w = legal
    search.clear_cache()
    today = timezone.localdate()
    DutyShift.objects.create(centre=w.centre_point, day=today, lawyer=w.lawyer)
    DutyShift.objects.create(
        centre=w.centre_point, day=today - dt.timedelta(days=1), lawyer=w.other_lawyer
    )
    w.gaomiao_village = Region.objects.get(code="630202101201")  # no adviser
    w.dongcun = Region.objects.get(code="630203100001")  # 平安区: no roster
    yield w
    search.clear_cache()
