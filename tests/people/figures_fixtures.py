"""The figures' test world: the people world (``ppl``) with a small known register, care,
visits and daily check-ins in 西关社区's two grids and in 平安镇, so that every figure has an
exact expected value. Days are counted back from today (the figures judge lateness by it).

西关社区1号网格 (``grid``): 韩成林 (registered, 独居老人), a migrant tenant (社区矫正对象),
    someone who moved out; the house lived in by its owner and a rented one;
    visits of 韩成林: two on time (one at 23:30), one made late (half an hour after midnight
    of the next day, local time), one late and not made, one dropped, one before the
    period; of the tenant: one on time, one not yet due;
    韩成林's daily check-in: started 10 days ago, 7 of the 10 days over kept.
西关社区2号网格 (``grid_b``): 马秀英 (registered, 残疾人, a visit not yet due); her house and
    a vacant one; a
    check-in plan that ran from 40 to 20 days ago, one day kept in the period.
平安镇东村 (``other_grid``): 祁福海 (社区矫正对象), with a due visit.
"""

import datetime as dt
import secrets

import pytest
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.people.choices import HouseUse, Registration, VisitState
from gongzhi.people.models import CheckIn, CheckInPlan, Visit
from tests.factories import UserFactory
from tests.people.factories import (
    BuildingFactory,
    CareMembershipFactory,
    HouseFactory,
    HouseholdFactory,
    ResidentFactory,
)


def local(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def visit(membership, due_on, state=VisitState.DUE, visited_at=None) -> Visit:
    return Visit.objects.create(
        membership=membership,
        resident=membership.resident,
        group=membership.group,
        grid=membership.grid,
        region_path=membership.region_path,
        due_on=due_on,
        state=state,
        visited_at=visited_at,
    )


def plan(resident, started_on, ended_on=None) -> CheckInPlan:
    return CheckInPlan.objects.create(
        resident=resident,
        token=secrets.token_urlsafe(32),
        started_on=started_on,
        ended_on=ended_on,
        grid=resident.grid,
        region_path=resident.region_path,
    )


@pytest.fixture
def fw(ppl):
    w = ppl
    today = timezone.localdate()
    w.today = today

    def ago(n: int) -> dt.date:
        return today - dt.timedelta(days=n)

    w.ago = ago
    w.township_staff = UserFactory(
        username="zhenzz", display_name="马综治", organisation=w.township, role=Role.DISPATCHER
    )
    # Places on the map: 1号网格 is 102.40–102.41, 2号网格 102.41–102.42 (36.46–36.48).
    w.house.lng, w.house.lat = w.point
    w.house.save()
    w.house_b.lng, w.house_b.lat = 102.415, 36.47
    w.house_b.save()
    w.other_house.lng, w.other_house.lat = w.other_point
    w.other_house.save()
    w.rented = HouseFactory(grid=w.grid, use=HouseUse.RENTED, lng=102.406, lat=36.471)
    w.vacant = HouseFactory(grid=w.grid_b, use=HouseUse.VACANT)  # no point: not on the map
    tenants = HouseholdFactory(house=w.rented, kind=Registration.MIGRANT)
    w.tenant = ResidentFactory(household=tenants, name="冶海军", kind=Registration.MIGRANT)
    ResidentFactory(household=w.household, name="马大山", moved_out=ago(100))

    group = w.group
    w.alone = CareMembershipFactory(resident=w.resident, group=group("elderly_alone"))
    w.correction = CareMembershipFactory(resident=w.tenant, group=group("community_correction"))
    w.disabled = CareMembershipFactory(resident=w.resident_b, group=group("disabled"))
    w.other_correction = CareMembershipFactory(
        resident=w.other_person, group=group("community_correction")
    )

    done = VisitState.DONE
    visit(w.alone, ago(10), done, local(ago(11)))  # on time
    visit(w.alone, ago(5), done, local(ago(4), 0, 30))  # late: after midnight, local time
    visit(w.alone, ago(15), done, local(ago(15), 23, 30))  # on time: before midnight
    w.alone_late = visit(w.alone, ago(2))  # late, not yet made
    visit(w.alone, ago(7), VisitState.DROPPED)  # not judged
    visit(w.alone, ago(60), done, local(ago(80)))  # before the period
    visit(w.correction, ago(4), done, local(ago(4), 9))  # on time
    w.correction_due = visit(w.correction, today + dt.timedelta(days=1))
    w.other_due = visit(w.other_correction, ago(1))
    visit(w.disabled, today + dt.timedelta(days=3))  # not yet due: not judged

    w.plan = plan(w.resident, ago(10))
    for n in (10, 9, 8, 7, 5, 4, 3, 0):  # 6, 2 and 1 days ago missed; today not yet over
        CheckIn.objects.create(plan=w.plan, day=ago(n))
    w.plan_b = plan(w.resident_b, ago(40), ended_on=ago(20))
    for n in (35, 25, 20):  # 35: before the period; 20: the day it ended
        CheckIn.objects.create(plan=w.plan_b, day=ago(n))
    return w


def grow(fw, n: int) -> None:
    """n more houses in 西关社区's two grids, each with a household of a registered and a
    migrant resident (in a building of its own), the first in two groups (an open and a restricted one) with a visit
    made and one due, and on a daily check-in."""
    for i in range(n):
        grid = fw.grid if i % 2 else fw.grid_b
        house = HouseFactory(grid=grid, building=BuildingFactory(grid=grid), lng=102.405, lat=36.47)
        household = HouseholdFactory(house=house)
        person = ResidentFactory(household=household)
        ResidentFactory(household=household, kind=Registration.MIGRANT)
        for code in ("empty_nest_elderly", "released_prisoner"):
            m = CareMembershipFactory(resident=person, group=fw.group(code))
            visit(m, fw.ago(3), VisitState.DONE, local(fw.ago(3)))
            visit(m, fw.ago(1))
        checkins = plan(person, fw.ago(5))
        CheckIn.objects.create(plan=checkins, day=fw.ago(2))
