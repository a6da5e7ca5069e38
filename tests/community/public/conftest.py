"""A small made-up set of each room's rows, created directly with the models (the rooms'
services are being written at the same time): in 西关社区 (urban, an estate with its
property company) and 大古城村 (a village), both in 碾伯镇, this month.

- repairs in 西关社区: 4 (3 responded in time, 2 finished in time; 2 rated, 1 satisfied;
  1 open and overdue, escalated to the community; 1 two years ago, outside the period);
- a notice to 西关社区's 4 households asking yes/no (3 read, 2 answered), and one to
  大古城村's 12 (6 read, no answer asked);
- volunteers: 2 in 西关社区 (1 approved, 1 pending), 1 approved in 大古城村; 3.5 + 2 hours
  attended on shifts this month;
- patrols: 2 in 大古城村 (5 + 5 checkpoints, 5 + 3 scanned, 2 missed, 1 flagged);
- points in 大古城村: 30 awarded to one household, 10 redeemed; 2 households with a balance;
- 移风易俗 in 大古城村: 3 registered (1 with a warning), 1 cancelled; a rule for weddings;
- the company's score for last month: 88.5, rank 1.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from gongzhi.cases.choices import Satisfaction
from gongzhi.cases.models import Callback, Case
from gongzhi.community.models import (
    Ceremony,
    CompanyScore,
    CustomRule,
    Goods,
    Notice,
    NoticeDelivery,
    Patrol,
    PointAccount,
    PointEntry,
    Redemption,
    RepairRequest,
    Route,
    Shift,
    Shop,
    SignUp,
    Volunteer,
)
from gongzhi.people.models import Household
from tests.factories import UserFactory

_numbers = iter(range(1, 10_000))


def _case(w, *, state, created, sign_met=None, resolve_met=None, overdue=False):
    case = Case.objects.create(
        number=f"BX-T-{next(_numbers):05d}",
        title="楼道灯不亮",
        category=w.manhole,
        channel="repair",
        state=state,
        region=w.regions.xiguan,
        region_path=w.regions.xiguan.path,
        owner=w.company,
        sign_for_met=sign_met,
        resolve_met=resolve_met,
        is_overdue=overdue,
    )
    Case.objects.filter(pk=case.pk).update(created_at=created)
    return case


def _repair(w, case, household, created, escalated=None):
    repair = RepairRequest.objects.create(
        case=case,
        region=w.regions.xiguan,
        estate=w.estate,
        company=w.company,
        household=household,
        requested_by=w.urban_residents[0],
        escalated_at=escalated,
    )
    RepairRequest.objects.filter(pk=repair.pk).update(created_at=created)
    return repair


def _notice(w, region, households, *, read, answered, kind, now):
    notice = Notice.objects.create(
        number=f"TZ-T-{next(_numbers):05d}",
        title=f"{region.name}停水通知",
        body="明日停水。",
        author=w.community_staff if region == w.regions.xiguan else w.clerk,
        state="published",
        region=region,
        publish_at=now - dt.timedelta(hours=2),
        answer_kind=kind,
        delivered_at=now - dt.timedelta(hours=2),
        households_count=len(households),
    )
    for n, household in enumerate(households):
        NoticeDelivery.objects.create(
            notice=notice,
            household=household,
            region_path=region.path,
            delivered_at=now - dt.timedelta(hours=2),
            read_at=now if n < read else None,
            answered_at=now if n < answered else None,
            answer={"value": True} if n < answered else None,
        )
    return notice


@pytest.fixture
def rows(town):
    w = town
    now = timezone.now()
    today = timezone.localdate()
    # The first of the month (or today) at noon: inside this month's period.
    early = timezone.make_aware(dt.datetime.combine(today.replace(day=1), dt.time(12)))
    xiguan, village = w.regions.xiguan, w.village
    urban = list(Household.objects.filter(region=xiguan).order_by("pk"))
    rural = list(Household.objects.filter(region=village).order_by("pk"))

    closed = [
        _case(w, state="closed", created=early, sign_met=True, resolve_met=True),
        _case(w, state="closed", created=early, sign_met=True, resolve_met=True),
        _case(w, state="closed", created=early, sign_met=True, resolve_met=False),
    ]
    late = _case(w, state="dispatched", created=early, sign_met=False, overdue=True)
    old = _case(w, state="closed", created=now - dt.timedelta(days=800), sign_met=True)
    for case in closed:
        _repair(w, case, urban[0], early)
    _repair(w, late, urban[0], early, escalated=early)
    _repair(w, old, urban[1], now - dt.timedelta(days=800))
    Callback.objects.create(case=closed[0], resolved=True, satisfaction=Satisfaction.SATISFIED)
    Callback.objects.create(case=closed[1], resolved=False, satisfaction=Satisfaction.UNSATISFIED)

    w.urban_notice = _notice(w, xiguan, urban, read=3, answered=2, kind="yes_no", now=now)
    w.village_notice = _notice(w, village, rural, read=6, answered=0, kind="none", now=now)

    volunteers = [
        Volunteer.objects.create(
            user=w.urban_residents[0], region=xiguan, name="甲居0", state="approved"
        ),
        Volunteer.objects.create(
            user=w.urban_residents[1], region=xiguan, name="乙居1", state="pending"
        ),
        Volunteer.objects.create(
            user=w.villagers[0], region=village, name="甲成0", state="approved", hours=2
        ),
    ]
    shift = Shift.objects.create(
        region=xiguan,
        kind="patrol",
        title="西关夜巡",
        starts_at=early,
        ends_at=early + dt.timedelta(hours=4),
        capacity=5,
        taken=1,
    )
    SignUp.objects.create(
        shift=shift, volunteer=volunteers[0], state="attended", hours=Decimal("3.5")
    )
    vshift = Shift.objects.create(
        region=village,
        kind="festival",
        title="邻里节",
        starts_at=early,
        ends_at=early + dt.timedelta(hours=2),
        capacity=5,
        taken=1,
    )
    SignUp.objects.create(shift=vshift, volunteer=volunteers[2], state="attended", hours=2)
    w.future_shift = Shift.objects.create(
        region=village,
        kind="clinic",
        title="义诊",
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=2, hours=3),
        capacity=5,
        taken=1,
    )
    SignUp.objects.create(shift=w.future_shift, volunteer=volunteers[2])

    route = Route.objects.create(region=village, name="村西线")
    for checkpoints, scanned, missed, flagged in ((5, 5, 0, 1), (5, 3, 2, 0)):
        Patrol.objects.create(
            region=village,
            route=route,
            walker=w.villagers[0],
            state="finished",
            started_at=early,
            finished_at=early + dt.timedelta(hours=1),
            checkpoints=checkpoints,
            scanned=scanned,
            missed=missed,
            flagged=flagged,
        )

    account = PointAccount.objects.create(
        region=village, household=rural[0], balance=20, earned=30, spent=10
    )
    PointAccount.objects.create(region=village, household=rural[1], balance=5, earned=5)
    PointAccount.objects.create(region=village, household=rural[2], balance=0)
    award = PointEntry.objects.create(
        region=village,
        account=account,
        points=30,
        reason="志愿服务",
        source="t:1",
        balance_after=30,
    )
    spend = PointEntry.objects.create(
        region=village, account=account, points=-10, reason="兑换", source="t:2", balance_after=20
    )
    PointEntry.objects.filter(pk__in=[award.pk, spend.pk]).update(created_at=early)
    shop = Shop.objects.create(region=village, name="积分超市")
    goods = Goods.objects.create(shop=shop, name="洗衣粉", price=10, stock=5)
    Redemption.objects.create(
        region=village,
        shop=shop,
        goods=goods,
        household=rural[0],
        points=10,
        entry=spend,
        by=w.clerk,
        code_nonce="nonce-1",
    )

    CustomRule.objects.create(region=village, kind="wedding", max_tables=20, max_gift=200)
    for n, (warnings, state) in enumerate(
        ((["tables"], "registered"), ([], "registered"), ([], "acknowledged"), ([], "cancelled"))
    ):
        Ceremony.objects.create(
            region=village,
            household=rural[n],
            kind="wedding",
            state=state,
            date=today + dt.timedelta(days=30),
            guests=100,
            tables=10,
            warnings=warnings,
        )
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    CompanyScore.objects.create(
        company=w.company, month=month, repairs=4, score=Decimal("88.5"), rank=1
    )
    w.urban, w.rural = urban, rural
    w.late_case = late
    w.other_county_staff = w.other_dispatcher
    w.plain_user = UserFactory(username="plain", display_name="路人甲")
    return SimpleNamespace(w=w, now=now, today=today, early=early)
