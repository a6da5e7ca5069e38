"""The demo's public legal services: units, people and service points on the demo's own
regions, loaded once for the module; each demo login does its legal work where it should."""

import pytest
from django.db import transaction

from gongzhi.accounts.models import User
from gongzhi.core.scope import scope_for
from gongzhi.demo import accounts as demo_accounts
from gongzhi.demo import regions as demo_regions
from gongzhi.demo.legal import staff as demo_staff
from gongzhi.legal import staff
from gongzhi.legal.choices import PointLevel
from gongzhi.legal.models import ServicePoint
from gongzhi.regions import lookup
from gongzhi.regions.models import Region


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            lookup.invalidate()
            demo_regions.load()
            demo_accounts.load()
            first = demo_staff.load()
            second = demo_staff.load()
            yield first, second
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            lookup.invalidate()


@pytest.fixture
def demo(loaded, db):
    return loaded


def test_every_county_township_and_community_has_its_point_once(demo):
    first, second = demo
    assert first["counts"]["points_created"] > 0
    assert second["counts"]["points_created"] == 0  # loading again adds nothing
    city = Region.objects.get(code="630200")
    below = Region.objects.filter(path__startswith=city.path).exclude(pk=city.pk)
    assert ServicePoint.objects.count() == below.count()
    assert ServicePoint.objects.filter(level=PointLevel.CENTRE).count() == (
        below.filter(level="county").count()
    )


def test_the_demo_logins_do_their_legal_work_in_the_demo_county(demo):
    first, _ = demo
    names = {row["username"] for row in first["logins"]}
    assert {"demo_legal_reviewer", "demo_legal_director", "demo_justice", "demo_notary"} <= names
    ledu = Region.objects.get(code="630202").path

    def scope(username):
        return scope_for(User.objects.get(username=username))

    assert staff.aid_reviewer_paths(scope("demo_legal_reviewer")) == (ledu,)
    assert staff.aid_director_paths(scope("demo_legal_director")) == (ledu,)
    assert staff.justice_bureau_paths(scope("demo_justice")) == (ledu,)
    assert staff.notary_office_paths(scope("demo_notary"))
    assert staff.is_lawyer(scope("demo_legal_adviser"))


def test_the_demo_residents_village_has_the_demo_adviser(demo):
    home = demo_staff.resident_community(demo_accounts.Tree())
    room = ServicePoint.objects.get(region=home, level=PointLevel.ROOM)
    assert room.adviser.username == "demo_legal_adviser"
    assert {p.level for p in ServicePoint.objects.serving(home.path)} == set(PointLevel.values)
