"""Villages for the tests of the deliberation hall and the community app: the case world (``tests.world``) with a village in 碾伯镇,
大古城村 (its own grid, committee and register), and an urban community, 西关社区 (the
world's own community, register in its first grid).

大古城村: 12 households, each a house with a head (an adult with an account,
``w.villagers[i]``, the household's ID number on the account), a spouse (an adult without an
account, except household 0's: ``w.spouse``) and a child of ten (household 0's child has an
account too: ``w.child``). The heads of households 0–5 are 村民代表 (6 representatives),
those of 0–2 Party members. Committee (村民委员会, kind ``community``): ``w.secretary``
(leader: 书记兼主任) and ``w.clerk`` (handler: 文书). Township: ``w.township_staff``
(碾伯镇人民政府, handler). Outside: ``w.outsider``, a villager of 平安区's 东村 with its own
committee member ``w.other_clerk``; ``w.nobody``, an account in no register.

西关社区: 4 households with a head each holding an account (``w.urban_residents``), the
first two 居民代表; its committee is the world's ``w.community`` (``w.community_staff``).
"""

from __future__ import annotations

import datetime as dt

from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.people.models import Office
from gongzhi.regions.models import Region, RegionLevel
from tests.factories import GridFactory, OrganisationFactory, RegionFactory, UserFactory
from tests.people.factories import HouseFactory, HouseholdFactory, ResidentFactory, id_number

K = OrganisationKind
TODAY = dt.date.today()
SURNAMES = "马韩祁冶李赵王张刘陈杨朱"


def _office(resident, kind):
    return Office.objects.create(
        resident=resident,
        kind=kind,
        since=dt.date(2024, 1, 1),
        region=resident.region,
        grid=resident.grid,
        region_path=resident.region_path,
    )


def _household(grid, n, *, county="630202"):
    house = HouseFactory(grid=grid, address=f"{grid.community.name}{n + 1}号")
    return HouseholdFactory(house=house, number=f"{grid.community.code[-3:]}{n:03d}")


def _resident(household, name, born, seq, relation, sex="male", county="630202"):
    return ResidentFactory(
        household=household,
        name=name,
        birth_date=born,
        sex=sex,
        id_number=id_number(born, seq, sex=sex, county=county),
        relation=relation,
    )


def _account(username, resident):
    return UserFactory(
        username=username,
        display_name=resident.name,
        id_number=resident.id_number,
        mobile=resident.phone,
    )


def add_villages(world):
    """Add the villages and the urban community's register to the case world."""
    w = world
    r = w.regions
    w.village = RegionFactory(
        code="630202100201",
        name="大古城村",
        level=RegionLevel.COMMUNITY,
        parent=r.nianbo,
        bbox=(102.36, 36.46, 102.38, 36.48),
    )
    w.village_grid = GridFactory(
        community=w.village, code="630202100201-01", bbox=(102.36, 36.46, 102.38, 36.48)
    )
    w.village_point = (102.37, 36.47)
    w.village_committee = OrganisationFactory(
        code="630202100201",
        name="大古城村民委员会",
        kind=K.COMMUNITY,
        parent=w.township,
        regions=[w.village],
    )
    w.secretary = UserFactory(
        username="secretary",
        display_name="祁书记",
        organisation=w.village_committee,
        role=Role.LEADER,
        head=True,
    )
    w.clerk = UserFactory(
        username="clerk",
        display_name="韩文书",
        organisation=w.village_committee,
        role=Role.HANDLER,
    )
    w.township_staff = UserFactory(
        username="township", display_name="朱镇干", organisation=w.township, role=Role.HANDLER
    )
    w.households, w.heads, w.villagers = [], [], []
    for n in range(12):
        household = _household(w.village_grid, n)
        head = _resident(household, f"{SURNAMES[n]}成{n}", dt.date(1970 + n, 3, 1), 100 + n, "head")
        household.head = head
        household.save(update_fields=["head"])
        spouse = _resident(
            household, f"{SURNAMES[n]}秀{n}", dt.date(1972 + n, 5, 1), 200 + n, "spouse", "female"
        )
        child = _resident(
            household, f"{SURNAMES[n]}小{n}", TODAY.replace(year=TODAY.year - 10), 300 + n, "child"
        )
        w.households.append(household)
        w.heads.append(head)
        w.villagers.append(_account(f"villager{n}", head))
        if n == 0:
            w.spouse = _account("spouse0", spouse)
            w.child = _account("child0", child)
        if n < 6:
            _office(head, "representative")
        if n < 3:
            _office(head, "party_member")

    # Another county's village, for scope.
    dongcun = Region.objects.get(code="630203100001")
    other = _household(w.other_grid, 0)
    outsider = _resident(other, "赵福海", dt.date(1965, 1, 1), 400, "head", county="630203")
    w.outsider = _account("outsider", outsider)
    w.other_committee = OrganisationFactory(
        code="630203100001", name="东村村民委员会", kind=K.COMMUNITY, regions=[dongcun]
    )
    w.other_clerk = UserFactory(
        username="otherclerk",
        display_name="冶文书",
        organisation=w.other_committee,
        role=Role.HANDLER,
    )
    w.nobody = UserFactory(username="nobody", display_name="过路人")

    # 西关社区 (urban).
    w.community_staff = UserFactory(
        username="sqgb", display_name="杨社区", organisation=w.community, role=Role.HANDLER
    )
    w.urban_residents = []
    for n in range(4):
        household = _household(w.grid, n + 50)
        head = _resident(household, f"{SURNAMES[n]}居{n}", dt.date(1980 + n, 7, 1), 500 + n, "head")
        household.head = head
        household.save(update_fields=["head"])
        if n < 2:
            _office(head, "representative")
        w.urban_residents.append(_account(f"urban{n}", head))
    return w
