"""Who sees what: one restriction, ``visible_to``, over the real 海东 demo tree."""

import pytest

from gongzhi.accounts.models import Membership, Organisation, Role, User
from gongzhi.core.scope import scope_for
from gongzhi.demo import accounts as demo_seed
from gongzhi.regions.models import Grid, GridAssignment, Region
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(regions):
    demo_seed.load()
    return regions


def user(username) -> User:
    return User.objects.get(username=username)  # a fresh object: scopes are cached per object


@pytest.fixture
def township_handler(demo):
    township = Organisation.objects.get(code="630202001")
    member(township, Role.HANDLER, username="nianbo_handler", display_name="冶文华", password=None)
    return user("nianbo_handler")


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_township_handler_sees_only_the_township(township_handler):
    assert codes(Region.objects.visible_to(township_handler)) == {
        "630202001",
        "630202001001",
        "630202001002",
    }
    assert codes(Grid.objects.visible_to(township_handler)) == {
        "630202001001-G1",
        "630202001001-G2",
        "630202001001-G3",
        "630202001002-G1",
        "630202001002-G2",
    }
    organisations = codes(Organisation.objects.visible_to(township_handler))
    assert {
        "630202001",
        "630202001-SFS",
        "630202001-PCS",
        "630202001001",
        "630202001002",
        "630202-WY01",  # the property company of two of its communities
    } == organisations
    users = set(User.objects.visible_to(township_handler).values_list("username", flat=True))
    assert {"nianbo_handler", "demo_grid", "demo_mediator", "demo_township_head"} <= users
    assert "gw630202001002" in users
    assert not users & {"demo_handler", "demo_dispatcher_county", "demo_leader", "gw630202101201"}
    memberships = Membership.objects.visible_to(township_handler)
    assert {m.organisation.code for m in memberships} <= organisations


def test_county_dispatcher_sees_the_county(demo):
    dispatcher = user("demo_dispatcher_county")
    assert codes(Region.objects.visible_to(dispatcher)) == {
        "630202",
        "630202001",
        "630202101",
        "630202001001",
        "630202001002",
        "630202101201",
    }
    assert Grid.objects.visible_to(dispatcher).count() == 6
    organisations = codes(Organisation.objects.visible_to(dispatcher))
    assert {"630202", "630202-ZZZX", "630202-CGJ", "630202101-SFS", "630202-LS01"} <= organisations
    assert all(c.startswith("630202") for c in organisations)
    assert not organisations & {"630200", "630200-ZZZX", "630203", "630203100"}
    users = set(User.objects.visible_to(dispatcher).values_list("username", flat=True))
    assert {"demo_handler", "demo_lawyer", "gw630202101201"} <= users
    assert not users & {"gw630203100001", "demo_leader", "demo_hotline"}


def test_city_leader_sees_the_whole_city_and_no_other(demo):
    leader = user("demo_leader")
    regions = codes(Region.objects.visible_to(leader))
    assert regions == {r.code for r in Region.objects.filter(path__startswith="/630000/630200/")}
    assert not regions & {"630000", "630100", "630102"}
    assert Grid.objects.visible_to(leader).count() == Grid.objects.count()
    assert Organisation.objects.visible_to(leader).count() == Organisation.objects.count()
    staff = User.objects.filter(memberships__isnull=False).distinct().count()
    assert User.objects.visible_to(leader).count() == staff
    assert not User.objects.visible_to(leader).filter(username="demo_resident").exists()


def test_administrator_sees_everything(demo):
    admin = user("demo_admin")
    assert Region.objects.visible_to(admin).count() == Region.objects.count()
    assert codes(Region.objects.visible_to(admin)) >= {"630100", "630102"}
    assert Organisation.objects.visible_to(admin).count() == Organisation.objects.count()
    assert Membership.objects.visible_to(admin).count() == Membership.objects.count()
    assert User.objects.visible_to(admin).count() == User.objects.count()


def test_resident_sees_no_staff_data_only_their_own_account(demo):
    resident = user("demo_resident")
    assert not Region.objects.visible_to(resident).exists()
    assert not Grid.objects.visible_to(resident).exists()
    assert not GridAssignment.objects.visible_to(resident).exists()
    assert not Organisation.objects.visible_to(resident).exists()
    assert not Membership.objects.visible_to(resident).exists()
    assert list(User.objects.visible_to(resident)) == [resident]


def test_anonymous_sees_nothing(demo):
    from django.contrib.auth.models import AnonymousUser

    assert not User.objects.visible_to(AnonymousUser()).exists()
    assert not Organisation.objects.visible_to(AnonymousUser()).exists()


def test_territory_is_where_a_user_governs(demo, township_handler):
    assert scope_for(user("demo_dispatcher_county")).territory_paths == ("/630000/630200/630202/",)
    assert scope_for(township_handler).territory_paths == ("/630000/630200/630202/630202001/",)
    # A county department serves the county but governs nothing.
    handler = scope_for(user("demo_handler"))
    assert handler.region_paths == ("/630000/630200/630202/",)
    assert handler.territory_paths == ()
    # A grid worker governs their community.
    assert scope_for(user("demo_grid")).territory_paths == (
        "/630000/630200/630202/630202001/630202001001/",
    )


def test_inactive_organisation_gives_no_scope(demo):
    Organisation.objects.filter(code="630202-ZZZX").update(is_active=False)
    assert not Region.objects.visible_to(user("demo_dispatcher_county")).exists()


def test_moving_an_organisation_moves_its_subtree(demo):
    township = Organisation.objects.get(code="630202001")
    township.parent = Organisation.objects.get(code="630203")
    township.save()
    assert (
        Organisation.objects.get(code="630202001-SFS").path
        == "/630200/630203/630202001/630202001-SFS/"
    )
    assert Organisation.objects.get(code="630202001001").path.startswith(
        "/630200/630203/630202001/"
    )
