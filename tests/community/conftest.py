"""The community test world: ``tests.village`` (大古城村 and 西关社区 on the case world) with
the community app's reference rows, a property company and its estate.

- ``w.company`` (物业公司, kind ``property_company``, serving 西关社区): ``w.company_head``
  (leader) and ``w.company_staff`` (handler, the repair desk).
- ``w.estate`` 西关花园 in 西关社区: one building (``w.estate_building``) holding the houses
  of the four urban households (``w.urban_residents`` are their heads, with accounts).
- ``w.village`` 大古城村 (12 households, ``w.villagers`` their heads) has no estate.
"""

from __future__ import annotations

import pytest

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.community.models import Estate
from gongzhi.community.reference import ensure_seeded
from gongzhi.people.models import House, Household
from tests.factories import OrganisationFactory, UserFactory
from tests.people.factories import BuildingFactory
from tests.village import add_villages


@pytest.fixture
def town(world):
    ensure_seeded()
    w = add_villages(world)
    w.company = OrganisationFactory(
        code="PM-XGHY",
        name="乐都区西关华苑物业服务有限公司",
        kind=OrganisationKind.PROPERTY_COMPANY,
        regions=[w.regions.xiguan],
    )
    w.company_head = UserFactory(
        username="pmhead",
        display_name="白经理",
        organisation=w.company,
        role=Role.LEADER,
        head=True,
    )
    w.company_staff = UserFactory(
        username="pmdesk", display_name="鲁师傅", organisation=w.company, role=Role.HANDLER
    )
    w.estate_building = BuildingFactory(grid=w.grid, name="1号楼", lng=102.405, lat=36.47)
    urban = Household.objects.filter(grid=w.grid).values("house_id")
    House.objects.filter(pk__in=urban).update(building=w.estate_building)
    w.estate = Estate.objects.create(
        region=w.regions.xiguan,
        name="西关花园",
        address="海东市乐都区碾伯镇西关街88号",
        lng=102.405,
        lat=36.47,
        company=w.company,
    )
    w.estate.buildings.add(w.estate_building)
    return w
