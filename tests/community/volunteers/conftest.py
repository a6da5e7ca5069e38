"""The volunteers room's fixtures: ``vol`` makes approved volunteers and shifts in
西关社区 through the services (the committee is ``w.community_staff``)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from gongzhi.community.volunteers import services


@pytest.fixture
def vol(town):
    w = town

    def approved(user, *, region=None):
        v = services.do_register(user=user, region=region, skills="急救")
        return services.do_review(actor=w.community_staff, volunteer=v, approve=True)

    def shift(*, capacity=5, starts_in=dt.timedelta(days=1), hours=3, team=None, **kw):
        starts = timezone.now() + starts_in
        return services.do_create_shift(
            actor=w.community_staff,
            region=None if team else w.regions.xiguan,
            team=team,
            kind=kw.pop("kind", "patrol"),
            title=kw.pop("title", "夜间巡逻"),
            place="西关街",
            lng=102.405,
            lat=36.47,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=hours),
            capacity=capacity,
            now=kw.pop("now", None),
        )

    return SimpleNamespace(w=w, approved=approved, shift=shift)
