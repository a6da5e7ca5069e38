"""The shared factories make valid, complete records, and cases only through the services."""

import pytest

from gongzhi.accounts.models import Membership, Role
from gongzhi.cases.choices import State
from gongzhi.regions import lookup
from gongzhi.regions.models import RegionLevel
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    GridAssignmentFactory,
    GridFactory,
    MembershipFactory,
    OrganisationFactory,
    RegionFactory,
    UserFactory,
    case_in,
    jpeg,
    member,
    png,
    report_case,
)

pytestmark = pytest.mark.django_db


def test_regions_take_their_path_and_level_from_the_parent():
    province = RegionFactory()
    city = RegionFactory(parent=province)
    county = RegionFactory(parent=city, bbox=(102.40, 36.46, 102.44, 36.50))
    assert (province.level, city.level, county.level) == ("province", "city", "county")
    assert county.path == f"/{province.code}/{city.code}/{county.code}/"
    assert county.min_lng == 102.40 and county.centre_lat is not None
    for region in (province, city, county):
        region.full_clean()


def test_a_grid_has_a_community_and_a_boundary_of_its_own():
    lookup.invalidate()
    first, second = GridFactory(), GridFactory()
    assert first.community.level == RegionLevel.COMMUNITY
    assert first.region_path == first.community.path
    assert first.boundary and first.boundary != second.boundary
    found = lookup.locate(first.centre_lng, first.centre_lat)
    assert found is not None and found.grid_id == first.pk
    first.full_clean()
    lookup.invalidate()


def test_people_units_and_memberships():
    unit = OrganisationFactory(regions=[RegionFactory()])
    sub = OrganisationFactory(parent=unit)
    assert sub.path == f"/{unit.code}/{sub.code}/" and unit.regions.count() == 1
    plain = UserFactory()
    assert plain.check_password(PASSWORD) and not plain.memberships.exists()
    assert plain.roles == {Role.RESIDENT}
    head = member(sub, Role.LEADER, head=True, display_name="孙局长")
    (membership,) = head.memberships.all()
    assert (membership.organisation, membership.role, membership.is_head) == (sub, "leader", True)
    assert UserFactory(organisation=unit).roles == {Role.HANDLER}
    assert UserFactory(admin=True).is_superuser
    assert not UserFactory(password=None).has_usable_password()
    unsaved = UserFactory.build(organisation=unit)
    assert unsaved.pk is None and unsaved.check_password(PASSWORD)
    assert MembershipFactory().role == Role.HANDLER
    assert GridAssignmentFactory().duty == "primary"
    assert Membership.objects.count() == 3


def test_a_first_level_category_has_its_own_sla_and_its_children_inherit_it():
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    assert root.sla is not None and child.sla is None
    assert child.effective_sla() == root.sla and child.level == 2
    assert child.full_name == f"{root.name} / {child.name}"


def test_cases_come_from_the_services(world):
    case = report_case(world, world.pothole, title="路面坑洼")
    assert case.number.startswith("HD-") and case.grid == world.grid
    assert [e.action for e in case.events.all()] == ["report"]
    closed = case_in(world, "closed")
    assert closed.state == State.CLOSED
    assert [e.action for e in closed.events.all()][-1] == "verify_pass"


def test_photos_are_images():
    assert png().content_type == "image/png" and png().read(4) == b"\x89PNG"
    assert jpeg(orientation=6).content_type == "image/jpeg"
