"""The demo register (人、地、房), its care groups, a year of visits and the daily check-ins,
loaded once on the demo's own regions and people.

The demo writes its rows in bulk, past the services: these tests hold it to the invariants
the services keep (places copied from the house, valid and unique ID numbers, stays that end,
one open membership per group, one due visit per member) and to the scope rules the demo
logins show (a grid worker sees their grids only, and no restricted group).
"""

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.demo import accounts as demo_accounts
from gongzhi.demo import people as demo_people
from gongzhi.demo import regions as demo_regions
from gongzhi.people import checkins, visits
from gongzhi.people.access import access_for
from gongzhi.people.choices import AlertLevel, HouseUse, Registration, Relation, VisitState
from gongzhi.people.idnumbers import valid_id_number
from gongzhi.people.models import (
    Building,
    CareGroup,
    CareMembership,
    CheckIn,
    CheckInAlert,
    CheckInPlan,
    House,
    Household,
    Resident,
    Stay,
    Visit,
)
from gongzhi.regions import lookup
from gongzhi.regions.models import GridAssignment

HAIDONG_COUNTIES = {"630202", "630203", "630222", "630223", "630224", "630225"}
RESTRICTED = ("community_correction", "released_prisoner", "severe_mental_illness")


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo regions, people and register, loaded once for this module and rolled back
    after it (each test runs in a savepoint inside)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            lookup.invalidate()
            demo_regions.load()
            demo_accounts.load()
            now = timezone.now()
            counts = demo_people.generate(now=now)
            yield counts, now
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            lookup.invalidate()


@pytest.fixture
def demo(loaded, db):
    return loaded


def user(username: str) -> User:
    return User.objects.get(username=username)


def current():
    return Resident.objects.current()


# -- how much, and at what rates ------------------------------------------------------------


def test_about_sixty_thousand_residents_in_twenty_thousand_households(demo):
    counts, _now = demo
    assert House.objects.count() == counts["houses"] == demo_people.HOUSES
    assert 55_000 <= current().count() == counts["residents"] <= 65_000
    lived_in = Household.objects.filter(residents__moved_out__isnull=True).distinct()
    assert 18_000 <= lived_in.count() <= 22_000
    assert Building.objects.count() > 100  # the towns' flats are in buildings
    assert House.objects.filter(building__isnull=True).count() > 10_000  # village courtyards
    # Every grid of the city has some houses; the demo logins' township most.
    assert House.objects.values("grid").distinct().count() == counts["grids"]
    assert demo_people.generate(now=demo[1]) == {"residents": 0, "skipped": True}  # once


def test_houses_are_mostly_lived_in_by_their_owners(demo):
    uses = Counter(House.objects.values_list("use", flat=True))
    total = sum(uses.values())
    assert 0.75 <= uses[HouseUse.OWN] / total <= 0.9
    assert 0.03 <= uses[HouseUse.RENTED] / total <= 0.12
    assert 0.04 <= uses[HouseUse.VACANT] / total <= 0.12
    assert 0.01 <= uses[HouseUse.BUSINESS] / total <= 0.06
    # Nobody lives in a vacant house now; someone lives in every house its owner lives in.
    assert not current().filter(household__house__use=HouseUse.VACANT).exists()
    assert not (
        House.objects.filter(use=HouseUse.OWN)
        .exclude(households__residents__moved_out__isnull=True)
        .exists()
    )


def test_special_groups_at_realistic_rates(demo):
    residents = current().count()
    members = Counter(
        CareMembership.objects.current()
        .filter(resident__moved_out__isnull=True)
        .values_list("group__code", flat=True)
    )
    share = {code: n / residents for code, n in members.items()}
    assert 0.02 <= share["left_behind_child"] <= 0.035
    assert 0.04 <= share["elderly_alone"] + share["empty_nest_elderly"] <= 0.06
    assert 0.015 <= share["disabled"] <= 0.02
    assert 0.002 <= share["severe_mental_illness"] <= 0.004
    assert 0 < members["child_in_hardship"] < members["left_behind_child"]
    # A few people under community correction and released from prison per township.
    for code in ("community_correction", "released_prisoner"):
        paths = CareMembership.objects.current().filter(group__code=code)
        townships = Counter(p.split("/")[4] for p in paths.values_list("region_path", flat=True))
        assert len(townships) >= 60, code
        assert max(townships.values()) <= 6, code


def test_care_fits_the_member(demo):
    today = timezone.localdate(demo[1])
    open_care = CareMembership.objects.current(today).select_related("resident", "group")
    for m in open_care.filter(group__code="left_behind_child"):
        assert m.resident.age_on(today) < 16
        assert m.resident.relation == Relation.GRANDCHILD
    for m in open_care.filter(group__code__in=["elderly_alone", "empty_nest_elderly"]):
        assert m.resident.age_on(today) >= 60
    alone = open_care.filter(group__code="elderly_alone").values("resident__household")
    assert not (
        Household.objects.filter(pk__in=alone)
        .annotate(n=Count("residents", filter=Q(residents__moved_out__isnull=True)))
        .exclude(n=1)
        .exists()
    )
    for m in open_care.filter(group__code__in=RESTRICTED):
        assert m.resident.age_on(today) >= 18


# -- the invariants the services keep -----------------------------------------------------------


def test_every_record_is_where_its_house_is(demo):
    assert not House.objects.exclude(region_path=F("region__path")).exists()
    assert not House.objects.exclude(grid__community=F("region")).exists()
    assert (
        not House.objects.filter(building__isnull=False).exclude(grid=F("building__grid")).exists()
    )
    for model, house in ((Household, "house"), (Resident, "household__house")):
        assert not model.objects.exclude(
            Q(region=F(f"{house}__region"))
            & Q(grid=F(f"{house}__grid"))
            & Q(region_path=F(f"{house}__region_path"))
        ).exists(), model
    assert not CareMembership.objects.exclude(
        Q(grid=F("resident__grid")) & Q(region_path=F("resident__region_path"))
    ).exists()
    assert not Visit.objects.exclude(
        Q(grid=F("membership__grid"))
        & Q(region_path=F("membership__region_path"))
        & Q(group=F("membership__group"))
        & Q(resident=F("membership__resident"))
    ).exists()
    assert not CheckInPlan.objects.exclude(
        Q(grid=F("resident__grid")) & Q(region_path=F("resident__region_path"))
    ).exists()


def test_id_numbers_are_valid_unique_and_the_persons_own(demo):
    today = timezone.localdate(demo[1])
    rows = Resident.objects.values_list(
        "id_number", "birth_date", "sex", "kind", "moved_in", "moved_out"
    )
    numbers = Counter()
    for number, born, sex, kind, moved_in, moved_out in rows.iterator(chunk_size=5000):
        parsed = valid_id_number(number)
        assert parsed is not None, number
        assert (parsed.birth_date, parsed.sex) == (born, sex), number
        assert born <= moved_in <= today
        assert moved_out is None or moved_in < moved_out <= today
        if kind == Registration.REGISTERED:
            assert number[:6] in HAIDONG_COUNTIES, number
        numbers[number] += 1
    assert max(numbers.values()) == 1  # unique among everyone, not only the current
    for number in House.objects.values_list("owner_id_number", flat=True):
        assert valid_id_number(number) is not None, number
    ages = Counter(min((today - born).days // 365 // 20, 4) for born in current().values_list(
        "birth_date", flat=True
    ))  # fmt: skip
    total = sum(ages.values())
    assert 0.15 <= ages[0] / total <= 0.35  # under 20
    assert 0.10 <= ages[3] / total + ages[4] / total <= 0.30  # 60 and over


def test_each_household_has_one_head_and_migrants_stays_end(demo):
    today = timezone.localdate(demo[1])
    heads = current().filter(relation=Relation.HEAD)
    assert heads.count() == Household.objects.filter(head__isnull=False).count()
    assert (
        not Household.objects.filter(head__isnull=False)
        .exclude(Q(head__household=F("pk")) & Q(head__relation=Relation.HEAD))
        .exists()
    )
    assert not Household.objects.filter(
        head__isnull=True, residents__moved_out__isnull=True
    ).exists()
    # Every migrant has a stay in their household's rented house, which ends after it starts;
    # a current migrant's ends in the future, a former one's the day they left.
    migrants = Resident.objects.filter(kind=Registration.MIGRANT)
    assert migrants.filter(moved_out__isnull=True).count() >= 1000
    assert not migrants.exclude(stays__house=F("household__house")).exists()
    assert not Stay.objects.filter(until__lte=F("since")).exists()
    assert not Stay.objects.filter(resident__moved_out__isnull=True, until__lte=today).exists()
    assert (
        not Stay.objects.exclude(resident__moved_out__isnull=True)
        .exclude(until=F("resident__moved_out"))
        .exists()
    )
    assert not Stay.objects.exclude(house__use__in=[HouseUse.RENTED, HouseUse.BUSINESS]).exists()
    assert (
        not Household.objects.filter(kind=Registration.MIGRANT)
        .exclude(residents__kind=Registration.MIGRANT)
        .exists()
    )


def test_care_memberships_are_one_at_a_time_with_the_right_worker(demo):
    today = timezone.localdate(demo[1])
    doubled = (
        CareMembership.objects.filter(until__isnull=True)
        .values("resident", "group")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not doubled.exists()
    assert not CareMembership.objects.filter(resident__moved_out__isnull=False).exists()
    assert not CareMembership.objects.filter(since__lt=F("resident__moved_in")).exists()
    assert not CareMembership.objects.filter(since__gt=today).exists()
    assert not CareMembership.objects.filter(until__lte=F("since")).exists()
    assert CareMembership.objects.filter(until__isnull=False).exists()  # some care ended
    # An open group's member has their grid's worker; a restricted group's nobody of the grid.
    assigned = set(GridAssignment.objects.values_list("grid_id", "user_id"))
    for grid_id, worker_id in CareMembership.objects.filter(group__open_to_local=True).values_list(
        "grid_id", "worker_id"
    ):
        assert (grid_id, worker_id) in assigned
    restricted = CareMembership.objects.filter(group__open_to_local=False)
    assert restricted.exists()
    assert not restricted.filter(worker__isnull=False).exists()
    assert not restricted.filter(
        enrolled_by__isnull=True, group__code="community_correction"
    ).exists()


# -- a year of visits ------------------------------------------------------------------------------


def test_a_year_of_visits_as_the_planner_plans_them(demo):
    counts, now = demo
    today = timezone.localdate(now)
    done = Visit.objects.filter(state=VisitState.DONE)
    assert done.count() > 50_000
    assert not done.filter(visited_at__gt=now).exists()
    assert done.filter(visited_at__date__lt=today - dt.timedelta(days=330)).exists()
    # Some were late, told to the community and (a week late) to the township; a few far.
    late = done.filter(late_noticed_at__isnull=False)
    assert 0.05 <= late.count() / done.count() <= 0.25
    assert late.filter(escalated_at__isnull=False).exists()
    assert done.filter(far=True).exists() and done.filter(far=False).exists()
    assert not done.filter(far=True, distance_m__lte=visits.far_metres()).exists()
    # One due visit per current membership, and the planner has nothing left to do.
    current_care = CareMembership.objects.current(today)
    assert Visit.objects.filter(state=VisitState.DUE).count() == current_care.count()
    assert visits.plan(now=now) == {"planned": 0, "dropped": 0, "moved": 0}
    assert not Visit.objects.filter(state=VisitState.DUE, membership__until__lte=today).exists()
    # Some are late now, and their community has been told (silently, in the past).
    overdue = Visit.objects.filter(state=VisitState.DUE, due_on__lt=today)
    assert overdue.exists()
    assert not overdue.filter(late_noticed_at__isnull=True).exists()
    assert visits.notify_late(now=now, tell=False) == {"late_noticed": 0, "escalated": 0}
    # Each visit was due its level's interval after the one before (or the enrolment).
    by_membership = defaultdict(list)
    sample = CareMembership.objects.filter(pk__in=current_care.values("pk")[:300])
    for m in sample.select_related("level"):
        by_membership[m.pk] = m
    chains = defaultdict(list)
    for v in Visit.objects.filter(membership__in=sample).order_by("due_on"):
        chains[v.membership_id].append(v)
    for pk, chain in chains.items():
        days = dt.timedelta(days=by_membership[pk].level.visit_days)
        for before, after in zip(chain, chain[1:], strict=False):
            assert before.state == VisitState.DONE
            assert after.due_on == timezone.localdate(before.visited_at) + days


def test_restricted_groups_are_visited_by_their_units_not_the_grid(demo):
    restricted = Visit.objects.filter(group__open_to_local=False, state=VisitState.DONE)
    assert restricted.exists()
    assert not restricted.filter(worker__isnull=False).exists()
    grid_workers = GridAssignment.objects.values("user_id")
    assert not restricted.filter(visited_by__in=grid_workers).exists()
    open_done = Visit.objects.filter(group__open_to_local=True, state=VisitState.DONE)
    assert not open_done.exclude(visited_by=F("worker")).exists()


# -- daily check-ins -------------------------------------------------------------------------------


def test_three_hundred_elderly_people_check_in_daily(demo):
    counts, now = demo
    plans = CheckInPlan.objects.select_related("resident")
    assert plans.count() == counts["checkin_plans"] == demo_people.CHECKINS
    today = timezone.localdate(now)
    elderly = CareMembership.objects.current(today).filter(
        group__code__in=["elderly_alone", "empty_nest_elderly"]
    )
    assert not plans.exclude(resident__in=elderly.values("resident")).exists()
    phones = plans.values_list("family_phone", flat=True)  # sealed: compared once opened
    assert sum(1 for phone in phones if phone.startswith("1")) >= 200
    grids = GridAssignment.objects.filter(user__username="demo_grid").values("grid_id")
    assert plans.filter(grid__in=grids).exists()  # the demo grid worker has some to show
    assert len({p.split("/")[4] for p in plans.values_list("region_path", flat=True)}) > 1
    assert not CheckIn.objects.filter(day__lte=F("plan__started_on")).exists()
    assert not CheckIn.objects.filter(day__gt=checkins.local_day(now)).exists()
    days = CheckIn.objects.count()
    assert days > 30_000
    # Some days were missed; each missed day was told once to the worker, two in a row to the
    # community, and a later tap resolved what was told.
    alerts = CheckInAlert.objects.all()
    assert alerts.filter(level=AlertLevel.WORKER).exists()
    assert alerts.filter(level=AlertLevel.COMMUNITY).exists()
    assert not alerts.filter(day__lte=F("plan__started_on")).exists()
    taps = defaultdict(dict)
    for plan_id, day, at in CheckIn.objects.values_list("plan_id", "day", "at"):
        taps[plan_id][day] = at
    for plan_id, day, level, at, resolved in alerts.values_list(
        "plan_id", "day", "level", "at", "resolved_at"
    ):
        assert day not in taps[plan_id] or taps[plan_id][day] > at
        if level == AlertLevel.COMMUNITY:
            assert day - dt.timedelta(days=1) not in taps[plan_id]
        later = [t for d, t in taps[plan_id].items() if d >= day and t > at]
        assert resolved == (min(later) if later else None)
    # The watcher finds nothing left to send about the days gone.
    assert checkins.alert_missed(now=now) == {"worker": 0, "community": 0}


# -- who sees what -------------------------------------------------------------------------------


def test_the_grid_worker_sees_their_grids_residents_only(demo, client):
    worker = user("demo_grid")
    grids = set(GridAssignment.objects.filter(user=worker).values_list("grid_id", flat=True))
    mine = Resident.objects.visible_to(worker)
    assert 300 <= mine.count() < current().count() // 20
    assert set(mine.values_list("grid_id", flat=True)) == grids
    elsewhere = current().exclude(grid__in=grids).first()
    client.force_login(worker)
    assert client.get(reverse("people:residents")).status_code == 200
    own = mine.current().first()
    assert client.get(reverse("people:resident", args=[own.pk])).status_code == 200
    assert client.get(reverse("people:resident", args=[elsewhere.pk])).status_code == 404


@pytest.mark.parametrize("code", RESTRICTED)
def test_a_restricted_group_is_hidden_from_the_grid_worker(demo, client, code):
    worker = user("demo_grid")
    grids = GridAssignment.objects.filter(user=worker).values("grid_id")
    group = CareGroup.objects.get(code=code)
    in_grid = CareMembership.objects.current().filter(group=group, grid__in=grids)
    if code != "severe_mental_illness":  # the demo puts one of each of these in the grid
        assert in_grid.exists()
    assert not CareMembership.objects.visible_to(worker).filter(group=group).exists()
    assert not Visit.objects.visible_to(worker).filter(group=group).exists()
    client.force_login(worker)
    assert client.get(reverse("people:group", args=[code])).status_code == 404


def test_the_justice_office_and_police_see_their_townships_restricted_groups(demo, client):
    grid_worker = user("demo_grid")
    grids = GridAssignment.objects.filter(user=grid_worker).values("grid_id")
    correction = CareMembership.objects.current().filter(
        group__code="community_correction", grid__in=grids
    )
    member = correction.first()
    township_path = "/".join(member.region_path.split("/")[:5]) + "/"
    for username, function in (("demo_township_mediator", "SFJ"), ("demo_police", "GAJ")):
        officer = user(username)
        assert township_path in access_for(officer).functions[function]
        seen = CareMembership.objects.visible_to(officer).filter(group__code="community_correction")
        assert seen.filter(pk=member.pk).exists()
        assert not seen.exclude(region_path__startswith=township_path).exists()
        # No care-giving unit sees the register beyond the people its groups need.
        assert (
            not Resident.objects.visible_to(officer).filter(care_memberships__isnull=True).exists()
        )
        client.force_login(officer)
        page = client.get(reverse("people:group", args=["community_correction"]))
        assert page.status_code == 200
        assert reverse("people:resident", args=[member.resident_id]) in page.content.decode()
    # The police see the severely mentally ill (WJW,GAJ); the justice office does not.
    assert (
        CareMembership.objects.visible_to(user("demo_police"))
        .filter(group__code="severe_mental_illness")
        .exists()
    )
    assert (
        not CareMembership.objects.visible_to(user("demo_township_mediator"))
        .filter(group__code="severe_mental_illness")
        .exists()
    )


def test_the_community_officer_sees_the_community_register(demo, client):
    officer = user("demo_community")
    worker = user("demo_grid")
    community = GridAssignment.objects.filter(user=worker).first().grid.community
    seen = Resident.objects.visible_to(officer)
    assert seen.count() == Resident.objects.filter(region=community).count() > 0
    assert seen.filter(grid__in=GridAssignment.objects.filter(user=worker).values("grid")).exists()
    client.force_login(officer)
    assert client.get(reverse("people:residents")).status_code == 200
    assert client.get(reverse("people:group", args=["elderly_alone"])).status_code == 200
