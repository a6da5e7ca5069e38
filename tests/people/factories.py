"""Factories for the people register: buildings, houses, households, residents, care
memberships. Rows are written directly (fast); the behaviour under test goes through
``gongzhi.people.services``.

    house = HouseFactory(grid=w.grid)                  # community and path from the grid
    household = HouseholdFactory(house=house)
    resident = ResidentFactory(household=household)    # a valid ID number of its own
    CareMembershipFactory(resident=resident, group=CareGroup.objects.get(code="elderly_alone"))
"""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from gongzhi.accounts.validators import id_check_digit
from gongzhi.people.choices import Registration, Relation
from gongzhi.people.models import Building, CareMembership, House, Household, Resident
from tests.factories import GridFactory


def id_number(
    born: dt.date, sequence: int = 1, *, sex: str = "male", county: str = "630202"
) -> str:
    """A valid 18-character resident ID number (GB 11643) for that birthday and sex."""
    serial = sequence % 500 * 2 + (1 if sex == "male" else 0)  # the last digit says the sex
    first17 = f"{county}{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_digit(first17)


def _sequence_id(n: int) -> str:
    return id_number(dt.date(1950, 1, 1) + dt.timedelta(days=n * 37 % 20000), n, sex="male")


class _Placed(DjangoModelFactory):
    class Meta:
        abstract = True

    grid = factory.SubFactory(GridFactory)
    region = factory.LazyAttribute(lambda o: o.grid.community)
    region_path = factory.LazyAttribute(lambda o: o.region.path)


class BuildingFactory(_Placed):
    class Meta:
        model = Building

    name = factory.Sequence(lambda n: f"{n + 1}号楼")
    address = factory.Sequence(lambda n: f"海东市乐都区碾伯镇西关街{n + 1}号")


class HouseFactory(_Placed):
    class Meta:
        model = House

    building = None
    address = factory.Sequence(lambda n: f"海东市乐都区碾伯镇西关街{n + 1}号{n % 6 + 1}室")
    owner_name = "马福贵"
    owner_id_number = factory.Sequence(_sequence_id)
    owner_phone = "13909720001"


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    house = factory.SubFactory(HouseFactory)
    number = factory.Sequence(lambda n: f"HH{n:06d}")
    kind = Registration.REGISTERED
    grid = factory.LazyAttribute(lambda o: o.house.grid)
    region = factory.LazyAttribute(lambda o: o.house.region)
    region_path = factory.LazyAttribute(lambda o: o.house.region_path)


class ResidentFactory(DjangoModelFactory):
    class Meta:
        model = Resident

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: ["韩成林", "马秀英", "祁福海", "冶玉兰"][n % 4])
    birth_date = factory.Sequence(lambda n: dt.date(1950, 1, 1) + dt.timedelta(days=n * 37 % 20000))
    id_number = factory.LazyAttributeSequence(lambda o, n: id_number(o.birth_date, n, sex=o.sex))
    sex = "male"
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    relation = Relation.OTHER
    kind = Registration.REGISTERED
    moved_in = dt.date(2015, 3, 1)
    grid = factory.LazyAttribute(lambda o: o.household.grid)
    region = factory.LazyAttribute(lambda o: o.household.region)
    region_path = factory.LazyAttribute(lambda o: o.household.region_path)


class CareMembershipFactory(DjangoModelFactory):
    class Meta:
        model = CareMembership

    resident = factory.SubFactory(ResidentFactory)
    group = None  # a seeded CareGroup row
    level = factory.LazyAttribute(lambda o: o.group.default_level)
    since = dt.date(2024, 1, 1)
    grid = factory.LazyAttribute(lambda o: o.resident.grid)
    region_path = factory.LazyAttribute(lambda o: o.resident.region_path)
