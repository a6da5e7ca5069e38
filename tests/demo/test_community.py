"""The demo's community app, loaded once on the demo's own regions, people and a small
register: what the demo logins see — the property desk its company's repairs, the
volunteer their hours, a patrol route a month of patrols with misses, the villages' shops
their redemptions — and a second load that adds nothing."""

from __future__ import annotations

import sys

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.community.models import (
    Ceremony,
    CompanyScore,
    Estate,
    Notice,
    NoticeDelivery,
    Patrol,
    PointEntry,
    Redemption,
    RepairRequest,
    Route,
    Shop,
    Volunteer,
)
from gongzhi.demo import accounts as demo_accounts
from gongzhi.demo import community as demo_community
from gongzhi.demo import people as demo_people
from gongzhi.demo import regions as demo_regions
from gongzhi.people.models import Resident
from gongzhi.regions import lookup


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            lookup.invalidate()
            demo_regions.load()
            demo_accounts.load()
            demo_people.generate(now=timezone.now(), houses=2500)
            first = demo_community.load(stdout=sys.stdout)  # its counts and time, with -s
            second = demo_community.load()
            yield first, second
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            lookup.invalidate()


@pytest.fixture
def demo(loaded, db):
    return loaded


def _counts(demo):
    return demo[0]["counts"]


def test_the_cast_and_its_logins(demo):
    first, _ = demo
    assert {"demo_property", "demo_property_head", "demo_volunteer", "demo_team_leader"} <= {
        row["username"] for row in first["logins"]
    }
    desk = User.objects.get(username="demo_property")
    company = desk.memberships.get().organisation
    assert company.kind == "property_company"
    assert Estate.objects.filter(company=company).exists()
    assert company.service_promises.filter(category__isnull=True).exists()
    assert Volunteer.objects.count() >= 1000  # the small register's adults, up to 2,000
    assert Shop.objects.count() == 3 and all(s.goods.exists() for s in Shop.objects.all())
    assert all(s.region.name.endswith("村") for s in Shop.objects.select_related("region"))
    for route in Route.objects.all():
        assert 4 <= route.checkpoints.count() <= 8


def test_a_second_load_adds_nothing(demo):
    _, second = demo
    assert not any(second["counts"].values()), second["counts"]


def test_the_desk_sees_its_companys_year_of_repairs(demo):
    desk = User.objects.get(username="demo_property")
    company = desk.memberships.get().organisation
    repairs = RepairRequest.objects.filter(company=company)
    assert repairs.count() >= 10
    first = repairs.order_by("created_at").first().created_at
    assert (timezone.now() - first).days > 200  # a year of them, not all of today
    counts = _counts(demo)
    assert counts["rated"] > 0 and counts["escalated"] > 0 and counts["late"] > 0
    assert CompanyScore.objects.filter(company=company).count() >= 6
    client = Client()
    client.force_login(desk)
    response = client.get("/api/v1/community/repairs/")
    if response.status_code == 200:  # the repairs room's list, once it is there
        assert response.json()


def test_the_volunteer_has_hours(demo):
    volunteer = Volunteer.objects.get(user__username="demo_volunteer")
    leader = User.objects.get(username="demo_team_leader")
    assert volunteer.hours > 0
    assert volunteer.teams.filter(team__leader=leader).exists()


def test_a_route_has_a_month_of_patrols_with_misses(demo):
    counts = _counts(demo)
    assert counts["patrols"] > 0 and counts["missed"] > 0 and counts["too_far"] > 0
    route = Route.objects.filter(patrols__isnull=False).first()
    patrols = Patrol.objects.filter(route=route)
    days = {timezone.localtime(p.started_at).date() for p in patrols}
    assert len(days) >= 20
    assert patrols.filter(missed__gt=0).exists()


def test_notices_points_and_customs(demo):
    notice = Notice.objects.filter(households_count__gt=0).first()
    deliveries = NoticeDelivery.objects.filter(notice=notice)
    read = deliveries.filter(read_at__isnull=False).count()
    assert 0 < read < deliveries.count()
    # A receipt names its reader, a member of the household with an account: a household
    # without one (told by SMS) has none.
    receipts = NoticeDelivery.objects.filter(read_at__isnull=False)
    assert not receipts.filter(read_by__isnull=True).exists()
    assert not NoticeDelivery.objects.filter(
        answered_at__isnull=False, answered_by__isnull=True
    ).exists()
    some = receipts.select_related("read_by").first()
    assert Resident.objects.filter(
        household_id=some.household_id, id_number=some.read_by.id_number
    ).exists()
    assert Redemption.objects.count() > 0
    assert {r.shop.region_id for r in Redemption.objects.all()} <= set(
        Shop.objects.values_list("region_id", flat=True)
    )
    assert PointEntry.objects.filter(reverses__isnull=False).exists()
    ceremonies = Ceremony.objects.all()
    assert ceremonies.count() >= 10
    assert any(c.warnings for c in ceremonies)
