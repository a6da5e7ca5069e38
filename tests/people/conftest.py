"""The people test world: the case world (``tests.world``) with the register filled in its
first grid (西关社区1号网格) and the next (2号网格), a second grid worker for the next grid,
碾伯镇's justice office and police station, a community officer, and the justice office of
another county's township (平安镇)."""

from importlib import import_module

import pytest
from django.apps import apps

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.people.models import CareGroup
from gongzhi.regions.models import Region
from tests.factories import GridAssignmentFactory, OrganisationFactory, UserFactory
from tests.people.factories import HouseFactory, HouseholdFactory, ResidentFactory


def seeded_reference() -> None:
    """The care levels and groups the data migration seeds, put back if a transactional
    test's flush removed them."""
    if not CareGroup.objects.exists():
        import_module("gongzhi.people.migrations.0002_seed_reference").seed(apps, None)
        import_module("gongzhi.people.migrations.0005_seed_case_category").fill(apps, None)


@pytest.fixture
def ppl(world):
    seeded_reference()
    w = world
    K = OrganisationKind
    nianbo = w.regions.nianbo
    w.justice = OrganisationFactory(kind=K.JUSTICE_OFFICE, name="碾伯司法所", regions=[nianbo])
    w.justice_officer = UserFactory(
        username="sfs", display_name="马司法", organisation=w.justice, role=Role.HANDLER
    )
    w.police = OrganisationFactory(kind=K.POLICE_STATION, name="碾伯派出所", regions=[nianbo])
    w.police_officer = UserFactory(
        username="pcs", display_name="韩警官", organisation=w.police, role=Role.HANDLER
    )
    w.community_officer = UserFactory(
        username="sqgb", display_name="祁社区", organisation=w.community, role=Role.LEADER
    )
    w.grid_b_worker = UserFactory(
        username="gridworker2",
        display_name="冶海燕",
        organisation=w.community,
        role=Role.GRID_WORKER,
    )
    GridAssignmentFactory(grid=w.grid_b, user=w.grid_b_worker)
    pingan_town = Region.objects.get(code="630203100")
    w.other_justice = OrganisationFactory(
        kind=K.JUSTICE_OFFICE, name="平安镇司法所", regions=[pingan_town]
    )
    w.other_justice_officer = UserFactory(
        username="sfs2", display_name="赵司法", organisation=w.other_justice, role=Role.HANDLER
    )

    w.house = HouseFactory(grid=w.grid, address="海东市乐都区碾伯镇西关街12号3单元402室")
    w.household = HouseholdFactory(house=w.house, number="0001")
    w.resident = ResidentFactory(household=w.household, name="韩成林", phone="13909721234")
    w.house_b = HouseFactory(grid=w.grid_b, address="海东市乐都区碾伯镇西关街40号")
    w.household_b = HouseholdFactory(house=w.house_b, number="0002")
    w.resident_b = ResidentFactory(household=w.household_b, name="马秀英")
    w.other_house = HouseFactory(grid=w.other_grid, address="海东市平安区平安镇东村5号")
    w.other_household = HouseholdFactory(house=w.other_house, number="0003")
    w.other_person = ResidentFactory(household=w.other_household, name="祁福海")
    w.group = lambda code: CareGroup.objects.get(code=code)
    return w
