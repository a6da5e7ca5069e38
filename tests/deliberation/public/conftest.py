"""The public room's test helpers: records of the hall made directly with the models (the
rooms' services are tested in their own rooms), so that the pages, the overview and the
figures have something known to show."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.deliberation.choices import (
    ImplementationState,
    MatterState,
    MeetingKind,
    MeetingState,
    PublicationKind,
    TopicState,
)
from gongzhi.deliberation.models import (
    AgendaItem,
    Attendance,
    Implementation,
    Matter,
    Meeting,
    MeetingRule,
    Progress,
    Publication,
    Rating,
    Topic,
)

_numbers = itertools.count(1)


def _number(prefix: str) -> str:
    return f"{prefix}-2026-{next(_numbers):05d}"


class Make:
    """Makes the hall's records of a village as the rooms would leave them."""

    def __init__(self, w):
        self.w = w

    def topic(self, *, region=None, title="村口路灯坏了", state=TopicState.OPEN, **extra):
        fields = {
            "body": "村口的三盏路灯坏了一个月，晚上出行不安全。",
            "threshold": 3,
            "author": self.w.villagers[0],
            "household": self.w.households[0],
            "resident": self.w.heads[0],
            **extra,
        }
        return Topic.objects.create(
            region=region or self.w.village,
            number=_number("YT"),
            title=title,
            state=state,
            **fields,
        )

    def meeting(self, *, region=None, kind=MeetingKind.HALL, state=MeetingState.NOTIFIED, **extra):
        region = region or self.w.village
        urban = region.pk == self.w.regions.xiguan.pk
        rule = MeetingRule.objects.get(kind=kind, urban=urban, enabled=True)
        fields = {
            "title": "议事会：村口路灯",
            "place": "村委会议室",
            "starts_at": timezone.now() + dt.timedelta(days=3),
            **extra,
        }
        return Meeting.objects.create(
            region=region,
            number=_number("YH"),
            kind=kind,
            rule=rule,
            state=state,
            sign_in_token=secrets.token_urlsafe(32),
            convened_by=self.w.clerk,
            **fields,
        )

    def decision(
        self, *, region=None, title="硬化村内主干道", state=MatterState.IMPLEMENTING, **extra
    ):
        now = timezone.now()
        fields = {
            "summary": "硬化村内主干道1.2公里。",
            "budget": Decimal("300000"),
            "resolution": "同意硬化村内主干道。",
            "resolved_at": now - dt.timedelta(days=20),
            "proposed_by": self.w.secretary,
            **extra,
        }
        matter = Matter.objects.create(
            region=region or self.w.village,
            number=_number("YS"),
            title=title,
            state=state,
            **fields,
        )
        today = timezone.localdate()
        Publication.objects.create(
            region=matter.region,
            matter=matter,
            kind=PublicationKind.RESOLUTION,
            text="经村民代表会议表决通过：硬化村内主干道，预算30万元。",
            starts_on=today - dt.timedelta(days=18),
            ends_on=today - dt.timedelta(days=11),
            published_by=self.w.clerk,
            households_told=12,
        )
        return matter

    def implementation(self, matter, *, due_on=None, percent=40, state=None, **extra):
        today = timezone.localdate()
        fields = {
            "title": "路基平整",
            "owner": self.w.clerk,
            "owner_name": "韩文书",
            "budget": Decimal("100000"),
            **extra,
        }
        state = state or (
            ImplementationState.COMPLETED if percent == 100 else ImplementationState.UNDER_WAY
        )
        return Implementation.objects.create(
            region=matter.region,
            matter=matter,
            due_on=due_on or today + dt.timedelta(days=30),
            percent=percent,
            state=state,
            **fields,
        )

    def progress(self, implementation, *, percent, note="完成路基平整一半", photos=()):
        return Progress.objects.create(
            implementation=implementation,
            at=timezone.now(),
            by=self.w.clerk,
            percent=percent,
            note=note,
            photos=list(photos),
        )

    def rating(self, matter, user, stars):
        return Rating.objects.create(matter=matter, user=user, stars=stars)

    def attend(self, meeting, n):
        """The heads of households 0..n-1 signed in."""
        for i in range(n):
            Attendance.objects.create(
                meeting=meeting,
                key=f"r{self.w.heads[i].pk}",
                user=self.w.villagers[i],
                resident=self.w.heads[i],
                household=self.w.households[i],
                method="clerk",
                signed_in_by=self.w.clerk,
            )

    def item(self, meeting, title="村口路灯", **extra):
        return AgendaItem.objects.create(meeting=meeting, title=title, put_by=self.w.clerk, **extra)


@pytest.fixture
def make(hall):
    return Make(hall)


def personal_data(w) -> list[str]:
    """Every name, phone and ID number of the world's residents and accounts that are not
    public officials' published titles: none may appear on a public page."""
    from gongzhi.accounts.models import User
    from gongzhi.people.models import Resident

    values = set()
    for name, phone, number in Resident.objects.values_list("name", "phone", "id_number"):
        values.update(v for v in (name, phone, number) if v)
    for name, mobile, number in User.objects.values_list("display_name", "mobile", "id_number"):
        values.update(v for v in (name, mobile, number) if v)
    return sorted(values)
