"""海东 demo register (人、地、房) and care: about 15,000 houses, 20,000 households and
60,000 residents in the demo city's grids, its care groups, a year of visits and the daily
check-ins of 300 elderly people.

``load(stdout=None) -> dict`` (run by ``gongzhi demo load`` after the accounts) draws
everything from one seeded generator and writes it in bulk, with the invariants the
services keep (``people.services``): every record carries its house's community, grid and
region path; ID numbers are valid (GB 11643, the county's code, the birth date and sex of
the person) and unique among current residents; a migrant's stay has an end after its
start; a resident is in a group at most once at a time; an open group's member has the
grid's own worker, a restricted group's none (the units whose function it lists visit).

Where the people live: most of them in the demo logins' county (乐都区) and most densely
in their township (碾伯镇), so that the grid worker's list, the township's figures and the
map have something to show; every grid of the city has a few houses. A place is a town or
a village by its name, as the deliberation hall's rules read it (``members.is_urban``): the
demo names a 镇's first two places …第N社区 (flats in buildings on named streets), its
others and a 乡's villages (courtyards numbered by 社, the village group).

Care has a year of history: the visits each member had, as the planner plans them (due a
level's interval after the last one), some late and told as the watcher tells; then the
people app's own ``visits.plan`` plans the visits due now and ``visits.notify_late`` (told
nobody) stamps those already late. 300 elderly people have a daily check-in, started by
their grid worker through ``checkins.do_start_plan`` weeks or months ago, with their taps
and the alerts the missed days raised. The history is written in bulk: a year of visits
through ``do_record_visit`` would take an hour.

The demo logins see it: ``demo_grid`` their grids, ``demo_community`` the
community, ``demo_township_mediator`` (碾伯镇司法所, function SFJ) and ``demo_police``
(碾伯镇派出所, GAJ) the township's members of the restricted groups.

**Idempotent by presence**: when the demo city already has houses, ``load`` creates
nothing.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

import numpy as np
import shapely
from django.conf import settings
from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.models import Max
from django.utils import timezone
from shapely.geometry import shape

from gongzhi.accounts.models import Membership, Role
from gongzhi.accounts.validators import id_check_digit
from gongzhi.core.fields import seal_row, sealed_names
from gongzhi.demo import accounts as demo_accounts
from gongzhi.people.choices import (
    AlertLevel,
    HouseUse,
    LeftReason,
    Registration,
    Relation,
    Sex,
    VisitState,
)
from gongzhi.people.members import is_urban
from gongzhi.people.models import (
    Building,
    CareGroup,
    CareLevel,
    CareMembership,
    CheckIn,
    CheckInAlert,
    House,
    Household,
    Resident,
    Stay,
    Visit,
)
from gongzhi.regions.models import Grid, GridAssignment, Region

SEED = 20261206
HOUSES = 15_000
CHUNK = 2_000
DEMO_COUNTY = demo_accounts.DEMO_COUNTY_CODE  # 乐都区
# How much more densely than elsewhere the demo township and county are filled (the weight
# of a grid is its own household count times this).
DENSITY = {"township": 20.0, "county": 3.0, "elsewhere": 1.0}

# -- names, numbers and places -------------------------------------------------------------

SURNAMES = demo_accounts.SURNAMES
# Names given since about 2000 differ from their grandparents' (demo.accounts has those).
YOUNG_MALE_GIVEN = "浩然子轩宇航俊杰博文梓豪明轩嘉乐天佑思远晨阳一鸣家豪泽宇"
YOUNG_FEMALE_GIVEN = "欣怡梓涵诗琪雨桐佳怡可馨思彤欣悦雨萱若曦语嫣紫涵梦瑶"
STREETS = "解放路 建设路 西大街 东大街 滨河路 古城大街 湟水路 新民街 文化街 团结路 幸福路 振兴路"
GROUP_NUMERALS = "一二三四五六七八九十"
MOBILE_PREFIXES = ("139", "138", "135", "136", "137", "150", "151", "152", "158", "159", "182",
                   "183", "187", "188", "177", "199", "133", "153", "180", "189")  # fmt: skip
# Where migrants' ID numbers were issued: elsewhere in 海东, 西宁, other 青海 counties,
# 甘肃 (临夏, 兰州), farther provinces.
MIGRANT_ORIGINS = (
    ("630202", 6), ("630203", 6), ("630222", 5), ("630223", 5), ("630224", 3), ("630225", 3),
    ("630102", 5), ("630103", 4), ("630104", 4), ("630105", 3), ("630121", 4),
    ("632521", 2), ("632221", 2), ("622901", 5), ("622921", 5), ("622923", 3),
    ("620102", 3), ("620421", 2), ("411421", 2), ("510722", 2),
)  # fmt: skip

# House uses: towns and villages (shares in percent).
URBAN_USES = ((HouseUse.OWN, 72), (HouseUse.RENTED, 16), (HouseUse.VACANT, 7),
              (HouseUse.BUSINESS, 5))  # fmt: skip
RURAL_USES = ((HouseUse.OWN, 84), (HouseUse.RENTED, 4), (HouseUse.VACANT, 9),
              (HouseUse.BUSINESS, 3))  # fmt: skip
# Households of a house lived in by its owners: a courtyard often holds a married son's
# household beside his parents'.
OWN_HOUSEHOLDS = {True: ((1, 80), (2, 17), (3, 3)), False: ((1, 56), (2, 34), (3, 10))}

# Registered households, by who lives in them (weights).
HOUSEHOLD_KINDS = (
    ("alone_old", 7), ("old_couple", 8), ("single", 10), ("couple", 9), ("nuclear", 36),
    ("single_parent", 5), ("three_gen", 17), ("skipped", 6),
)  # fmt: skip

# Care: each group's level shares (level code, weight).
LEVELS = {
    "left_behind_child": (("monthly", 80), ("fortnightly", 20)),
    "child_in_hardship": (("fortnightly", 70), ("weekly", 30)),
    "elderly_alone": (("weekly", 35), ("fortnightly", 35), ("monthly", 30)),
    "empty_nest_elderly": (("monthly", 75), ("fortnightly", 15), ("quarterly", 10)),
    "disabled": (("quarterly", 60), ("monthly", 40)),
    "community_correction": (("weekly", 40), ("monthly", 60)),
    "released_prisoner": (("monthly", 70), ("quarterly", 30)),
    "severe_mental_illness": (("fortnightly", 60), ("monthly", 30), ("weekly", 10)),
}
EMPTY_NEST_SHARE = 0.65  # of couples of 60 and over living alone, those enrolled
HARDSHIP_SHARE = 0.0012
MENTAL_SHARE = 0.003
DISABLED_BY_AGE = ((18, 0.006), (60, 0.015), (200, 0.05))  # under that age: probability
PER_TOWNSHIP = {"community_correction": (1, 3), "released_prisoner": (2, 5)}
ENDED_SHARE = {"left_behind_child": 0.08, "elderly_alone": 0.03, "community_correction": 0.25}


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _pairs(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(0, len(text) - 1, 2)]


OLD_MALE = _pairs(demo_accounts.MALE_GIVEN)
OLD_FEMALE = _pairs(demo_accounts.FEMALE_GIVEN)
YOUNG_MALE = _pairs(YOUNG_MALE_GIVEN)
YOUNG_FEMALE = _pairs(YOUNG_FEMALE_GIVEN)


def given_name(rng: random.Random, male: bool, born: dt.date) -> str:
    young = born.year >= 2000
    pool = (YOUNG_MALE if young else OLD_MALE) if male else (YOUNG_FEMALE if young else OLD_FEMALE)
    given = rng.choice(pool)
    return given[rng.randrange(2)] if rng.random() < 0.25 else given


class Numbers:
    """ID numbers and phones, each drawn once."""

    def __init__(self, rng: random.Random, taken: set[str]):
        self.rng = rng
        self.taken = taken
        self.phones: set[str] = set()

    def id_number(self, region: str, born: dt.date, male: bool) -> str:
        while True:
            sequence = self.rng.randrange(500) * 2 + (1 if male else 0)
            first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self.taken:
                self.taken.add(number)
                return number

    def mobile(self) -> str:
        while True:
            phone = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone


# -- the places ------------------------------------------------------------------------------


@dataclass
class GridPlace:
    pk: int
    code: str
    households: int
    geometry: object
    community: Region
    township: Region
    county: Region
    urban: bool
    worker_id: int | None
    houses: int = 0

    @property
    def prefix(self) -> str:
        return f"海东市{self.county.name}{self.township.name}{self.community.name}"


class Places:
    """The demo city's grids with their community, township, county and worker."""

    def __init__(self, city: Region, demo_grids: set[int]):
        regions = {
            r.pk: r
            for r in Region.objects.filter(path__startswith=city.path).only(
                "id", "code", "name", "path", "level", "parent_id"
            )
        }
        # Each grid's worker as the planner and the check-in choose: a full-time one first.
        workers: dict[int, int] = {}
        assignments = GridAssignment.objects.filter(
            grid__region_path__startswith=city.path, user__is_active=True
        ).values_list("grid_id", "user_id", "duty", "id")
        for grid_id, user_id, _duty, _id in sorted(
            assignments, key=lambda a: (a[2] != GridAssignment.Duty.PRIMARY, a[3])
        ):
            workers.setdefault(grid_id, user_id)
        self.grids: list[GridPlace] = []
        for pk, code, households, boundary, community_id in (
            Grid.objects.filter(region_path__startswith=city.path, is_active=True)
            .order_by("code")
            .values_list("pk", "code", "households", "boundary", "community_id")
        ):
            community = regions.get(community_id)
            township = regions.get(community.parent_id) if community else None
            county = regions.get(township.parent_id) if township else None
            if county is None or not boundary:
                continue
            self.grids.append(
                GridPlace(
                    pk=pk,
                    code=code,
                    households=households or 200,
                    geometry=shape(boundary),
                    community=community,
                    township=township,
                    county=county,
                    urban=is_urban(community),
                    worker_id=workers.get(pk),
                )
            )
        # The demo grid worker's grids, community and township.
        self.demo_grids = demo_grids
        home = [g for g in self.grids if g.pk in demo_grids]
        self.demo_community_id = home[0].community.pk if home else None
        self.demo_township_id = home[0].township.pk if home else None

    def allocate(self, houses: int) -> None:
        """Houses per grid: the grid's household count, denser where the demo logins work,
        scaled to ``houses`` in all (largest remainders), at least one each."""
        weights = []
        for g in self.grids:
            if g.township.pk == self.demo_township_id:
                density = DENSITY["township"]
            elif g.county.code == DEMO_COUNTY:
                density = DENSITY["county"]
            else:
                density = DENSITY["elsewhere"]
            weights.append(g.households * density)
        spare = houses - len(self.grids)
        shares = np.array(weights) / sum(weights) * spare
        counts = np.floor(shares).astype(int)
        for i in np.argsort(-(shares - counts))[: spare - counts.sum()]:
            counts[i] += 1
        for g, n in zip(self.grids, counts, strict=True):
            g.houses = int(n) + 1


def points_in(geometry, n: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    xmin, ymin, xmax, ymax = geometry.bounds
    shapely.prepare(geometry)
    found = np.empty((0, 2))
    for _ in range(50):
        if len(found) >= n:
            break
        xy = rng.random((max(4 * n, 16), 2)) * [xmax - xmin, ymax - ymin] + [xmin, ymin]
        found = np.vstack([found, xy[shapely.contains_xy(geometry, xy[:, 0], xy[:, 1])]])
    if len(found) < n:  # a sliver: its representative point will do
        p = geometry.representative_point()
        found = np.vstack([found, [[p.x, p.y]] * (n - len(found))])
    return [(round(float(x), 6), round(float(y), 6)) for x, y in found[:n]]


# -- writing rows in bulk ---------------------------------------------------------------------


class Table:
    """Rows of one model, given their ids up front and written by ``executemany`` in
    chunks: the register takes a third of the time that model instances and
    ``bulk_create`` took (5 s of CPU against 14 s, measured). Ids continue from the
    table's highest (the sequence is set past them afterwards, as ``loaddata`` does), so
    rows can point at each other before any is written; foreign keys are checked at the
    commit. Fields not given take their default, timestamps the moment of loading."""

    def __init__(self, model, now: dt.datetime):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.pk = model._meta.pk.attname
        self.defaults = {}
        for f in self.fields:
            if f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
            elif f.empty_strings_allowed and f.blank:
                self.defaults[f.attname] = ""
        self.next = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.rows: list[dict] = []

    def add(self, **values) -> dict:
        values[self.pk] = self.next
        self.next += 1
        self.rows.append(values)
        return values

    def __len__(self) -> int:
        return len(self.rows)

    def write(self) -> int:
        if not self.rows:
            return 0
        qn = connections[self.model.objects.db].ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            qn(self.model._meta.db_table),
            ", ".join(qn(f.column) for f in self.fields),
            ", ".join(["%s"] * len(self.fields)),
        )
        # Dates and times as the backend stores them (a value met before is not adapted
        # again: most rows share their timestamps), decimals and JSON through the field,
        # text, numbers and flags as they are.
        db = connections[self.model.objects.db]
        ops = db.ops
        steps = []
        for f in self.fields:
            kind = f.get_internal_type()
            if kind == "DateTimeField":
                prepare = _cached(ops.adapt_datetimefield_value)
            elif kind == "DateField":
                prepare = _cached(ops.adapt_datefield_value)
            elif kind in ("DecimalField", "JSONField"):
                prepare = partial(_through_field, f, db)
            elif f.choices:
                prepare = _plain
            else:
                prepare = None
            steps.append((f.attname, self.defaults.get(f.attname, _REQUIRED), prepare))
        sealed = sealed_names(self.fields)  # personal data stored sealed (core.fields)
        with db.cursor() as cursor:
            for start in range(0, len(self.rows), CHUNK):
                batch = []
                for row in self.rows[start : start + CHUNK]:
                    if sealed:
                        row = seal_row(row, sealed)
                    values = []
                    for name, default, prepare in steps:
                        value = row.get(name, default)
                        if value is _REQUIRED:
                            raise ValueError(f"{self.model.__name__}.{name} is required")
                        if prepare is not None and value is not None:
                            value = prepare(value)
                        values.append(value)
                    batch.append(values)
                cursor.executemany(sql, batch)
            for statement in ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(statement)
        return len(self.rows)

    def flush(self) -> None:
        """Write the rows held and let them go (a year of visits need not sit in memory)."""
        self.write()
        self.rows = []


_REQUIRED = object()


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def _through_field(f, db, value):
    return f.get_db_prep_save(value, db)


def _cached(adapt):
    seen: dict = {}

    def prepare(value):
        if value not in seen:
            seen[value] = adapt(value)
        return seen[value]

    return prepare


# -- people ------------------------------------------------------------------------------------


@dataclass
class Person:
    """A current resident as drawn, with what the care groups are chosen by."""

    row: dict
    age: int
    household_kind: str
    grid: GridPlace
    house: dict


class Drawer:
    """Draws houses, households and residents grid by grid."""

    def __init__(self, rng: random.Random, places: Places, now: dt.datetime, taken: set[str]):
        self.rng = rng
        self.nprng = np.random.default_rng(rng.randrange(2**32))
        self.places = places
        self.today = timezone.localdate(now)
        self.numbers = Numbers(rng, taken)
        self.buildings = Table(Building, now)
        self.houses = Table(House, now)
        self.households = Table(Household, now)
        self.residents = Table(Resident, now)
        self.stays = Table(Stay, now)
        self.people: list[Person] = []  # current residents only
        self.serial: Counter = Counter()

    def tables(self) -> list[Table]:
        return [self.buildings, self.houses, self.households, self.residents, self.stays]

    # dates
    def born_at(self, age: float) -> dt.date:
        return self.today - dt.timedelta(days=int(age * 365.25) + self.rng.randrange(365))

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def _place(self, g: GridPlace) -> dict:
        return {"region_id": g.community.pk, "grid_id": g.pk, "region_path": g.community.path}

    # places
    def draw_grid(self, g: GridPlace) -> None:
        rng = self.rng
        if g.urban:
            sizes, left = [], g.houses
            while left > 0:
                sizes.append(min(rng.choice((12, 18, 24, 30, 36)), left))
                left -= sizes[-1]
            points = points_in(g.geometry, len(sizes), self.nprng)
            for number, (size, (lng, lat)) in enumerate(zip(sizes, points, strict=True), 1):
                street = rng.choice(STREETS.split())
                address = f"{g.prefix}{street}{rng.randint(1, 300)}号{number}号楼"
                floors = max(6, (size + 3) // 4 + rng.randint(0, 4))
                building = self.buildings.add(
                    name=f"{number}号楼", address=address, lng=lng, lat=lat, floors=floors,
                    **self._place(g),
                )  # fmt: skip
                per_floor = max(2, -(-size // floors))
                for i in range(size):
                    floor, flat = divmod(i, per_floor)
                    self.draw_house(
                        g,
                        building=building,
                        address=f"{address}{flat // 2 + 1}单元{floor + 1}{flat % 2 + 1:02d}室",
                        point=(lng, lat),
                    )
        else:
            points = points_in(g.geometry, g.houses, self.nprng)
            groups = max(1, min(10, g.houses // 12 + 1))
            for i, point in enumerate(points):
                address = f"{g.prefix}{GROUP_NUMERALS[i % groups]}社{i // groups + 1}号"
                self.draw_house(g, building=None, address=address, point=point)

    def draw_house(self, g: GridPlace, *, building: dict | None, address: str, point) -> None:
        rng = self.rng
        use = weighted(rng, URBAN_USES if g.urban else RURAL_USES)
        area = rng.uniform(55, 140) if g.urban else rng.uniform(150, 420)
        house = self.houses.add(
            building_id=building["id"] if building else None, address=address,
            lng=point[0], lat=point[1], use=use, area=Decimal(f"{area:.2f}"), **self._place(g),
        )  # fmt: skip
        owner = None
        if use == HouseUse.OWN:
            for _ in range(weighted(rng, OWN_HOUSEHOLDS[g.urban])):
                members = self.registered_household(house, g)
                owner = owner or members[0]
        elif use == HouseUse.RENTED:
            if not g.urban and rng.random() < 0.5:  # a room of a lived-in courtyard let
                owner = self.registered_household(house, g)[0]
            for _ in range(2 if rng.random() < 0.2 else 1):
                self.migrant_household(house, g)
            if rng.random() < 0.4:
                self.migrant_household(house, g, former=True)
        elif use == HouseUse.BUSINESS:
            roll = rng.random()
            if roll < 0.35:
                self.migrant_household(house, g)
            elif roll < 0.65:
                owner = self.registered_household(house, g)[0]
        if owner is not None:
            house["owner_name"] = owner["name"]
            house["owner_id_number"] = owner["id_number"]
            house["owner_phone"] = owner["phone"]
        else:  # the owner lives elsewhere
            male = rng.random() < 0.6
            born = self.born_at(rng.uniform(35, 70))
            house["owner_name"] = rng.choice(SURNAMES) + given_name(rng, male, born)
            house["owner_id_number"] = self.numbers.id_number(g.county.code, born, male)
            house["owner_phone"] = self.numbers.mobile()

    def _household(self, house: dict, g: GridPlace, kind: str) -> dict:
        self.serial[g.community.pk] += 1
        number = f"{g.community.code[-6:]}{self.serial[g.community.pk]:04d}"
        return self.households.add(
            house_id=house["id"], number=number, kind=kind, head_id=None, **self._place(g)
        )

    def _resident(self, household: dict, house: dict, g: GridPlace, *, surname: str,
                  male: bool, age: float, relation: str, region: str, moved_in: dt.date,
                  kind: str = Registration.REGISTERED, household_kind: str = "",
                  moved_out: dt.date | None = None, reason: str = "") -> dict:  # fmt: skip
        rng = self.rng
        born = self.born_at(age)
        years = (self.today - born).days // 365
        if years >= 75:
            has_phone = rng.random() < 0.5
        elif years >= 16:
            has_phone = rng.random() < 0.95
        else:
            has_phone = False
        moved_in = max(moved_in, born)
        if moved_out is not None:
            moved_in = max(born, min(moved_in, moved_out - dt.timedelta(days=30)))
        row = self.residents.add(
            name=surname + given_name(rng, male, born),
            id_number=self.numbers.id_number(region, born, male),
            phone=self.numbers.mobile() if has_phone else "",
            sex=Sex.MALE if male else Sex.FEMALE,
            birth_date=born,
            household_id=household["id"],
            relation=relation,
            kind=kind,
            moved_in=moved_in,
            moved_out=moved_out,
            left_reason=reason,
            created_by_id=g.worker_id,
            **self._place(g),
        )
        if moved_out is None:
            if relation == Relation.HEAD:
                household["head_id"] = row["id"]
            self.people.append(Person(row, years, household_kind, g, house))
        return row

    def registered_household(self, house: dict, g: GridPlace) -> list[dict]:
        """A registered household, its head first."""
        rng = self.rng
        kind = weighted(rng, HOUSEHOLD_KINDS)
        household = self._household(house, g, Registration.REGISTERED)
        surname = rng.choice(SURNAMES)
        settled = self.days_ago(400, 40 * 365)

        def add(relation, age, male=None, **more):
            return self._resident(
                household, house, g,
                surname=rng.choice(SURNAMES) if relation == Relation.SPOUSE else surname,
                male=rng.random() < 0.5 if male is None else male, age=age, relation=relation,
                region=g.county.code, moved_in=more.pop("moved_in", settled),
                household_kind=kind, **more,
            )  # fmt: skip

        def children(parent_age: float, n: int, relation=Relation.CHILD, low=0.2, high=40.0):
            high = max(low + 0.5, min(high, parent_age - 21))
            return [add(relation, rng.uniform(low, high)) for _ in range(n)]

        members: list[dict] = []
        man = rng.random() < 0.85
        if kind == "alone_old":
            members.append(add(Relation.HEAD, rng.uniform(62, 92), male=rng.random() < 0.4))
        elif kind == "old_couple":
            age = rng.uniform(60, 86)
            members.append(add(Relation.HEAD, age, male=True))
            members.append(add(Relation.SPOUSE, age - rng.uniform(0, 5), male=False))
        elif kind == "single":
            members.append(add(Relation.HEAD, rng.uniform(20, 60), male=rng.random() < 0.65))
        elif kind in ("couple", "nuclear"):
            age = rng.uniform(22, 45) if kind == "couple" else rng.uniform(27, 55)
            members.append(add(Relation.HEAD, age, male=man))
            members.append(add(Relation.SPOUSE, age - rng.uniform(-3, 4), male=not man))
            if kind == "nuclear":
                members += children(age, weighted(rng, ((1, 40), (2, 45), (3, 15))))
        elif kind == "single_parent":
            age = rng.uniform(28, 50)
            members.append(add(Relation.HEAD, age, male=rng.random() < 0.3))
            members += children(age, rng.randint(1, 2))
        elif kind == "three_gen":
            age = rng.uniform(30, 52)
            members.append(add(Relation.HEAD, age, male=True))
            members.append(add(Relation.SPOUSE, age - rng.uniform(-2, 4), male=False))
            old = age + rng.uniform(22, 32)
            members.append(add(Relation.PARENT, old, male=rng.random() < 0.45))
            if rng.random() < 0.5:
                members.append(add(Relation.PARENT, old - rng.uniform(-2, 4)))
            members += children(age, weighted(rng, ((1, 45), (2, 45), (3, 10))))
        else:  # "skipped": grandparents and the children of parents working away
            age = rng.uniform(52, 76)
            members.append(add(Relation.HEAD, age, male=rng.random() < 0.7))
            if rng.random() < 0.7:
                members.append(add(Relation.SPOUSE, age - rng.uniform(-2, 4)))
            n = weighted(rng, ((1, 45), (2, 40), (3, 15)))
            members += children(age, n, Relation.GRANDCHILD, low=1.0, high=15.5)
        if rng.random() < 0.04:  # someone who lived here and left, or died
            left = self.days_ago(30, 1000)
            if kind in ("alone_old", "old_couple", "three_gen", "skipped"):
                relation = Relation.PARENT if kind == "three_gen" else Relation.SPOUSE
                add(relation, rng.uniform(78, 95), moved_out=left, reason=LeftReason.DIED)
            else:
                add(Relation.CHILD, rng.uniform(20, 30), moved_out=left, reason=LeftReason.MOVED)
        return members

    def migrant_household(self, house: dict, g: GridPlace, *, former: bool = False) -> None:
        """A migrant household renting (part of) the house: every member's stay ends, the
        current ones' in the future, a former one's the day they left."""
        rng = self.rng
        household = self._household(house, g, Registration.MIGRANT)
        region = weighted(rng, MIGRANT_ORIGINS)
        if region == g.county.code:
            region = "630102"  # from the same county they would not be migrants
        surname = rng.choice(SURNAMES)
        if former:
            moved_out = self.days_ago(20, 700)
            since = moved_out - dt.timedelta(days=rng.randint(120, 730))
        else:
            moved_out, since = None, self.days_ago(10, 1100)
        form = weighted(rng, (("single", 35), ("couple", 30), ("family", 35)))
        age = rng.uniform(20, 50)
        man = rng.random() < 0.75
        specs = [(Relation.HEAD, age, man)]
        if form != "single":
            specs.append((Relation.SPOUSE, age - rng.uniform(-3, 4), not man))
        if form == "family":  # children born before a former household left
            youngest = 0.5 + ((self.today - moved_out).days / 365 if former else 0)
            for _ in range(rng.randint(1, 2)):
                oldest = max(youngest + 0.5, min(16.0, age - 21))
                specs.append((Relation.CHILD, rng.uniform(youngest, oldest), None))
        if former:
            until = moved_out
        else:  # leases run in whole years; a few end within the month
            until = since + dt.timedelta(days=365 * ((self.today - since).days // 365 + 1))
            if rng.random() < 0.06:
                until = self.today + dt.timedelta(days=rng.randint(1, 30))
        note = "商铺租赁，合同一年一签" if house["use"] == HouseUse.BUSINESS else "租赁合同一年一签"
        for relation, a, male in specs:
            resident = self._resident(
                household, house, g,
                surname=rng.choice(SURNAMES) if relation == Relation.SPOUSE else surname,
                male=rng.random() < 0.5 if male is None else male, age=a, relation=relation,
                region=region, moved_in=since, kind=Registration.MIGRANT,
                household_kind="migrant", moved_out=moved_out,
                reason=LeftReason.MOVED if former else "",
            )  # fmt: skip
            start = resident["moved_in"]
            self.stays.add(
                resident_id=resident["id"], house_id=house["id"], since=start,
                until=max(until, start + dt.timedelta(days=1)), landlord_note=note,
            )  # fmt: skip


# -- care groups -----------------------------------------------------------------------------


@dataclass
class Care:
    person: Person
    group: str
    level: str
    since: dt.date
    until: dt.date | None = None


class CarePicker:
    """Who is in which group: by the household they live in (children of parents working
    away, old people on their own), at rates for rural 青海 (disability, severe mental
    illness), and a few per township for the groups the justice office keeps."""

    SPANS = {  # how long ago a current member joined, at most (days)
        "left_behind_child": 5 * 365,
        "child_in_hardship": 4 * 365,
        "elderly_alone": 6 * 365,
        "empty_nest_elderly": 6 * 365,
        "disabled": 10 * 365,
        "community_correction": 700,
        "released_prisoner": 5 * 365,
        "severe_mental_illness": 8 * 365,
    }

    def __init__(self, rng: random.Random, today: dt.date, places: Places):
        self.rng = rng
        self.today = today
        self.places = places
        self.cares: list[Care] = []

    def add(self, person: Person, group: str, *, ongoing: bool = False) -> None:
        rng = self.rng
        row = person.row
        earliest = max(row["moved_in"], row["birth_date"] + dt.timedelta(days=30))
        if group == "left_behind_child":
            earliest = max(earliest, row["birth_date"] + dt.timedelta(days=365))
        latest = self.today - dt.timedelta(days=1)
        if earliest > latest:
            return
        since = max(earliest, self.today - dt.timedelta(days=rng.randint(20, self.SPANS[group])))
        until = None
        ended = rng.random() < ENDED_SHARE.get(group, 0.0)
        if ended and not ongoing and (latest - since).days > 60:
            until = since + dt.timedelta(days=rng.randint(30, (latest - since).days))
        self.cares.append(Care(person, group, weighted(rng, LEVELS[group]), since, until))

    def pick(self, people: list[Person]) -> list[Care]:
        rng = self.rng
        by_township: dict[int, list[Person]] = defaultdict(list)
        couples: dict[int, list[Person]] = defaultdict(list)
        for p in people:
            kind, age = p.household_kind, p.age
            if kind == "skipped" and p.row["relation"] == Relation.GRANDCHILD and age < 16:
                self.add(p, "left_behind_child")
            if kind == "alone_old" and age >= 60:
                self.add(p, "elderly_alone")
            if kind == "old_couple" and age >= 60:
                couples[p.row["household_id"]].append(p)
            if age < 18 and rng.random() < HARDSHIP_SHARE * (6 if kind == "single_parent" else 3):
                self.add(p, "child_in_hardship")
            if rng.random() < next(share for limit, share in DISABLED_BY_AGE if age < limit):
                self.add(p, "disabled")
            if 18 <= age <= 75 and rng.random() < MENTAL_SHARE * 1.5:  # adults only
                self.add(p, "severe_mental_illness")
            if 20 <= age <= 60:
                by_township[p.grid.township.pk].append(p)
        for members in couples.values():  # an old couple on their own: both or neither
            if len(members) == 2 and rng.random() < EMPTY_NEST_SHARE:
                for p in members:
                    self.add(p, "empty_nest_elderly")
        for candidates in by_township.values():
            men = [p for p in candidates if p.row["sex"] == Sex.MALE]
            women = [p for p in candidates if p.row["sex"] != Sex.MALE]
            home = [p for p in men if p.grid.pk in self.places.demo_grids]
            taken: set[int] = set()
            for group, (low, high) in PER_TOWNSHIP.items():
                n = min(rng.randint(low, high), len(candidates) // 25)
                chosen = []
                if home:  # the demo grid worker's community has one of each
                    free = [p for p in home if p.row["id"] not in taken]
                    chosen += free[:1] if free else []
                for _ in range(n - len(chosen)):
                    pool = women if women and rng.random() < 0.12 else men
                    free = [p for p in pool if p.row["id"] not in taken]
                    if free:
                        chosen.append(rng.choice(free))
                        taken.add(chosen[-1].row["id"])
                for i, p in enumerate(chosen):
                    taken.add(p.row["id"])
                    self.add(p, group, ongoing=bool(home) and i == 0)
        return self.cares


def demo_grids() -> set[int]:
    """The demo grid worker's grids: the register is densest where the demo logins work."""
    return set(
        GridAssignment.objects.filter(user__username="demo_grid").values_list("grid_id", flat=True)
    )


def _enrollers(places: Places) -> dict[tuple[str, int], int]:
    """Who enrols and visits a township's members of the restricted groups, (function,
    township) → user: the 司法所's staff for SFJ, the 派出所's for GAJ, the county health
    bureau's for WJW (a demo login there first)."""
    codes: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for g in places.grids:
        t = g.township
        codes[demo_accounts.unit_code(t.code, demo_accounts.JUSTICE_OFFICE)].append(("SFJ", t.pk))
        codes[demo_accounts.unit_code(t.code, demo_accounts.POLICE_STATION)].append(("GAJ", t.pk))
        codes[demo_accounts.unit_code(g.county.code, "WJJ")].append(("WJW", t.pk))
    found: dict[tuple[str, int], int] = {}
    rows = (
        Membership.objects.filter(organisation__code__in=list(codes), organisation__is_active=True)
        .exclude(role=Role.RESIDENT)
        .order_by("user__username")
        .values_list("organisation__code", "user_id", "user__username")
    )
    for code, user_id, username in rows:
        for key in set(codes[code]):
            if key not in found or username.startswith("demo_"):
                found[key] = user_id
    return found


def _unit_for(group: CareGroup, township_id: int, enrollers) -> int | None:
    # In the order the row lists them (a set's order would change from run to run).
    listed = group.functions.replace("，", ",").split(",")
    for code in (c.strip().upper() for c in listed if c.strip()):
        if (code, township_id) in enrollers:
            return enrollers[(code, township_id)]
    return None


# -- visits: a year of them -------------------------------------------------------------------

FINDINGS = {
    "left_behind_child": (
        "孩子在校表现良好，与爷爷奶奶生活，学习用品齐全。",
        "孩子近期情绪有些低落，已与班主任沟通，建议在外务工的父母多打视频电话。",
        "监护人身体尚可，孩子饮食起居正常，寒假作业按时完成。",
    ),
    "child_in_hardship": (
        "已核实基本生活费按月发放到位，孩子生活稳定。",
        "孩子在亲属家生活，监护责任落实，已提醒按时复诊。",
    ),
    "elderly_alone": (
        "老人身体状况良好，屋内整洁，取暖设施正常。",
        "老人血压偏高，已提醒按时服药，并联系村医上门测量。",
        "冬季取暖煤已备足，水电正常，与子女保持电话联系。",
        "老人腿脚不便，已帮忙代购米面油等生活用品。",
    ),
    "empty_nest_elderly": (
        "老两口身体尚可，子女每周来电，生活能够自理。",
        "老人反映院内路面结冰，已帮助清理并提醒注意防滑。",
        "已协助老人办理高龄补贴认证。",
    ),
    "disabled": (
        "两项补贴按时发放，辅具使用正常。",
        "康复训练按计划进行，家属照料到位。",
    ),
    "community_correction": (
        "矫正对象按时报到，思想稳定，在本地务工。",
        "核实活动情况，未发现违规外出，家庭关系和睦。",
    ),
    "released_prisoner": (
        "帮教对象在家务农，生活稳定，无异常情况。",
        "已协助办理就业登记，近期在县城务工。",
    ),
    "severe_mental_illness": (
        "患者按时服药，病情稳定，监护人看护到位。",
        "已协调村医随访，免费药品已发放。",
    ),
}
NEEDS = (
    "需要帮助申请临时救助。",
    "屋顶漏雨，需要协调维修。",
    "需要代购常用药品。",
    "希望帮忙联系在外务工的子女。",
    "取暖煤不足，需要协调解决。",
    "家中自来水管冻裂，需要维修。",
)
NEEDS_SHARE = 0.06
LATE_SHARE = 0.13  # visits made after their day
NEGLECTED_SHARE = 0.02  # members whose last visit is long overdue now
FAR_SHARE = 0.03


class VisitDrawer:
    """A year of visits made to each member, as the planner would have planned them: each
    due its level's interval after the last one made (or the enrolment), most made on or a
    little before the day, some late; those late were told to the community on their first
    late day and, a week late, to the township. The visit now due is left to the planner."""

    def __init__(self, rng, now: dt.datetime, enrollers, primary: dict[int, int]):
        from gongzhi.people import visits

        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.zone = timezone.get_default_timezone()
        self.enrollers = enrollers
        self.primary = primary
        self.metres = visits.metres_between
        self.far_m = visits.far_metres()
        self.escalate = visits.escalate_after_days()
        self.table = Table(Visit, now)
        self.counts = Counter()

    def at(self, day: dt.date, hour: float) -> dt.datetime:
        minutes = int(hour * 60)
        moment = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))
        return moment.replace(tzinfo=self.zone)

    def draw(self, m: dict, care: Care, group: CareGroup, days: int) -> None:
        rng = self.rng
        person = care.person
        house = person.house
        worker = m["worker_id"] or (self.primary.get(m["grid_id"]) if group.open_to_local else None)
        visitor = worker if group.open_to_local else _unit_for(
            group, person.grid.township.pk, self.enrollers
        )  # fmt: skip
        window = self.today - dt.timedelta(days=365)
        last = m["since"] if m["since"] >= window else window - dt.timedelta(
            days=rng.randrange(days)
        )  # fmt: skip
        planned_at = self.at(last, 18)
        neglected = rng.random() < NEGLECTED_SHARE
        texts = FINDINGS[group.code]
        base = {
            "membership_id": m["id"], "resident_id": m["resident_id"], "group_id": group.pk,
            "grid_id": m["grid_id"], "region_path": m["region_path"], "worker_id": worker,
        }  # fmt: skip
        while True:
            due = last + dt.timedelta(days=days)
            if rng.random() < LATE_SHARE:
                made = due + dt.timedelta(days=rng.choice((1, 1, 2, 3, 4, 6, 9, 12)))
            else:
                made = max(last + dt.timedelta(days=1), due - dt.timedelta(days=rng.randint(0, 3)))
            if neglected and due >= self.today - dt.timedelta(days=40):
                made = self.today + dt.timedelta(days=1)  # not made: long overdue now
            until = m["until"]
            if until is not None and made >= until:
                self.table.add(**base, state=VisitState.DROPPED, due_on=due,
                               created_at=planned_at, updated_at=self.at(until, 9))  # fmt: skip
                return
            visited_at = self.at(made, rng.uniform(9, 17.5))
            if visited_at >= self.now:
                return  # the visit due now is the planner's
            far = rng.random() < FAR_SHARE and house["lng"] is not None
            spread = rng.uniform(0.005, 0.02) if far else rng.uniform(0.0001, 0.0006)
            lng = house["lng"] + rng.choice((-1, 1)) * spread if house["lng"] is not None else None
            lat = house["lat"] + rng.uniform(-spread, spread) / 2 if lng is not None else None
            distance = round(self.metres((lng, lat), (house["lng"], house["lat"]))) if lng else None
            late_by = (made - due).days
            self.table.add(
                **base, state=VisitState.DONE, due_on=due, visited_at=visited_at,
                visited_by_id=visitor, findings=rng.choice(texts),
                needs=rng.choice(NEEDS) if rng.random() < NEEDS_SHARE else "",
                lng=lng, lat=lat, distance_m=distance,
                far=distance is not None and distance > self.far_m,
                late_noticed_at=self.at(due + dt.timedelta(days=1), 8) if late_by >= 1 else None,
                escalated_at=self.at(due + dt.timedelta(days=self.escalate + 1), 8)
                if late_by > self.escalate else None,
                created_at=planned_at, updated_at=visited_at,
            )  # fmt: skip
            self.counts["done"] += 1
            self.counts["late"] += late_by >= 1
            last, planned_at = made, visited_at


# -- daily check-ins ----------------------------------------------------------------------------

CHECKINS = 300


def start_checkins(cares: list[Care], places: Places, numbers: Numbers, rng, now) -> list:
    """Daily check-ins for 300 elderly people (those living alone first): all of the demo
    grid worker's community's, most of the others in its township, the rest elsewhere in
    the county; started by their grid worker through ``checkins.do_start_plan`` some weeks
    or months ago, with a son or daughter far away as the family member."""
    from gongzhi.accounts.models import User
    from gongzhi.people import checkins

    today = timezone.localdate(now)
    tiers: dict[int, list[Care]] = defaultdict(list)
    seen = set()
    for c in sorted(cares, key=lambda c: (c.group != "elderly_alone", c.person.row["id"])):
        g = c.person.grid
        if (
            c.group not in ("elderly_alone", "empty_nest_elderly")
            or c.until is not None
            or not g.worker_id
            or c.person.row["id"] in seen
        ):
            continue
        seen.add(c.person.row["id"])
        if g.community.pk == places.demo_community_id:
            tiers[0].append(c)
        elif g.township.pk == places.demo_township_id:
            tiers[1].append(c)
        else:
            tiers[2 if g.county.code == DEMO_COUNTY else 3].append(c)
    picked: list[Care] = []
    for tier, share in ((0, 1.0), (1, 0.6), (2, 1.0), (3, 1.0)):
        room = int(CHECKINS * share) - len(picked)
        picked += tiers[tier][: max(0, room)]
    residents = Resident.objects.in_bulk([c.person.row["id"] for c in picked])
    workers = User.objects.in_bulk({c.person.grid.worker_id for c in picked})
    plans = []
    for c in picked:
        resident = residents[c.person.row["id"]]
        worker = workers[c.person.grid.worker_id]
        surname = resident.name[0]
        male = rng.random() < 0.5
        earliest = max(c.since, today - dt.timedelta(days=365))
        started = earliest + dt.timedelta(days=rng.randint(0, max(0, (today - earliest).days - 30)))
        family = rng.random() < 0.9
        plans.append(
            checkins.do_start_plan(
                resident=resident,
                actor=worker,
                family_name=surname + given_name(rng, male, dt.date(1985, 1, 1)) if family else "",
                family_phone=numbers.mobile() if family else "",
                started_on=min(started, today - dt.timedelta(days=1)),
            )
        )
    return plans


def draw_checkins(plans: list, rng, now: dt.datetime) -> tuple[Table, Table]:
    """Each plan's taps since it started, and the alerts the watcher sent for the days
    missed (``checkins.alert_missed``'s rule: a day is missed at 20:00 local; the grid
    worker and the family are told, the community too after two days in a row; a later tap
    resolves them). Most people tap in the morning; some are forgetful, some had a spell
    in hospital."""
    from gongzhi.people import checkins

    zone = timezone.get_default_timezone()
    local_now = checkins.local(now)
    today = local_now.date()
    last_due = checkins.last_due_day(now)
    taps, alerts = Table(CheckIn, now), Table(CheckInAlert, now)
    for plan in plans:
        miss = rng.choice((0.003, 0.01, 0.02, 0.05))
        family = bool(plan.family_phone) and rng.random() < 0.3
        tapped: dict[dt.date, dt.datetime] = {}
        day = plan.started_on + dt.timedelta(days=1)
        spell = 0
        while day <= today:
            if spell == 0 and rng.random() < 0.004:
                spell = rng.randint(2, 4)  # away, ill: a few days without a tap
            if spell:
                spell -= 1
            elif rng.random() >= miss:
                hour = rng.uniform(6.5, 10.5) if rng.random() < 0.8 else rng.uniform(10.5, 21.5)
                at = dt.datetime.combine(day, dt.time(int(hour), int(hour % 1 * 60)), zone)
                if at < local_now:
                    tapped[day] = at
                    taps.add(plan_id=plan.pk, day=day, at=at,
                             by_family=family and rng.random() < 0.5)  # fmt: skip
            day += dt.timedelta(days=1)
        day = plan.started_on + dt.timedelta(days=1)
        while day <= last_due:
            due = dt.datetime.combine(day, checkins.DUE_BY, zone) + dt.timedelta(minutes=5)
            if day not in tapped or tapped[day] > due:
                later = [t for d, t in tapped.items() if d >= day and t > due]
                resolved = min(later) if later else None
                before = day - dt.timedelta(days=1)
                levels = [AlertLevel.WORKER]
                if before > plan.started_on and before not in tapped:
                    levels.append(AlertLevel.COMMUNITY)
                for level in levels:
                    alerts.add(plan_id=plan.pk, day=day, level=level, at=due, resolved_at=resolved)
            day += dt.timedelta(days=1)
    return taps, alerts


# -- loading --------------------------------------------------------------------------------------


def exists(city: Region) -> bool:
    return House.objects.filter(region_path__startswith=city.path).exists()


def _memberships(cares: list[Care], places: Places, enrollers, now) -> Table:
    groups = {g.code: g for g in CareGroup.objects.all()}
    levels = {lv.code: lv for lv in CareLevel.objects.all()}
    table = Table(CareMembership, now)
    for care in cares:
        group = groups[care.group]
        row = care.person.row
        if group.open_to_local:  # the grid's own worker, as do_enrol chooses
            worker = enrolled_by = care.person.grid.worker_id
        else:  # a restricted group's members are the unit's, not the grid worker's
            worker = None
            enrolled_by = _unit_for(group, care.person.grid.township.pk, enrollers)
        table.add(
            resident_id=row["id"], group_id=group.pk, level_id=levels[care.level].pk,
            since=care.since, until=care.until, worker_id=worker, grid_id=row["grid_id"],
            region_path=row["region_path"], enrolled_by_id=enrolled_by,
        )  # fmt: skip
    return table


def generate(*, now: dt.datetime | None = None, seed: int = SEED, houses: int = HOUSES) -> dict:
    """The demo city's register, care, visits and check-ins; nothing when the city has
    houses already."""
    from gongzhi.people import visits

    started, cpu = time.monotonic(), time.process_time()
    city = Region.objects.filter(code=settings.GONGZHI.get("DEMO_CITY_CODE", "630200")).first()
    if city is None or exists(city):
        return {"residents": 0, "skipped": True}
    now = now or timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(seed)
    timings = {}
    with transaction.atomic():
        places = Places(city, demo_grids())
        if not places.grids:
            return {"residents": 0, "skipped": True}
        places.allocate(houses)
        taken = set(Resident.objects.current().values_list("id_number", flat=True))
        drawer = Drawer(rng, places, now, taken)
        for g in places.grids:
            drawer.draw_grid(g)
        cares = CarePicker(rng, today, places).pick(drawer.people)
        enrollers = _enrollers(places)
        memberships = _memberships(cares, places, enrollers, now)
        timings["draw"] = time.monotonic() - started
        for table in [*drawer.tables(), memberships]:
            table.write()
        timings["register"] = time.monotonic() - started

        groups = {g.pk: g for g in CareGroup.objects.all()}
        level_days = dict(CareLevel.objects.values_list("pk", "visit_days"))
        primary = {g.pk: g.worker_id for g in places.grids if g.worker_id}
        visit_drawer = VisitDrawer(rng, now, enrollers, primary)
        for care, m in zip(cares, memberships.rows, strict=True):
            visit_drawer.draw(m, care, groups[m["group_id"]], level_days[m["level_id"]])
            if len(visit_drawer.table) >= 10 * CHUNK:
                visit_drawer.table.flush()
        visit_drawer.table.flush()
        planned = visits.plan(now=now)
        late = visits.notify_late(now=now, tell=False)
        timings["visits"] = time.monotonic() - started

        plans = start_checkins(cares, places, drawer.numbers, rng, now)
        taps, alerts = draw_checkins(plans, rng, now)
        taps.write()
        alerts.write()
        timings["checkins"] = time.monotonic() - started

    current = [r for r in drawer.residents.rows if r["moved_out"] is None]
    counts = {
        "grids": len(places.grids),
        "buildings": len(drawer.buildings),
        "houses": len(drawer.houses),
        "houses_by_use": dict(Counter(str(h["use"]) for h in drawer.houses.rows)),
        "households": sum(1 for h in drawer.households.rows if h["head_id"]),
        "residents": len(current),
        "migrants": sum(1 for r in current if r["kind"] == Registration.MIGRANT),
        "moved_out": len(drawer.residents) - len(current),
        "stays": len(drawer.stays),
        "memberships": len(memberships),
        "groups": dict(Counter(c.group for c in cares if c.until is None)),
        "visits_done": visit_drawer.counts["done"],
        "visits_done_late": visit_drawer.counts["late"],
        "visits_planned": planned["planned"],
        "visits_late_now": late.get("late_noticed", 0),
        "checkin_plans": len(plans),
        "checkins": len(taps),
        "checkin_alerts": len(alerts),
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "seconds": round(time.monotonic() - started, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
    }
    return counts


def load(*, stdout=None) -> dict:
    """The demo's register, care, visits and check-ins, once."""
    counts = generate()
    if stdout is not None:
        if counts.get("skipped"):
            stdout.write("people: demo register already present, nothing created\n")
        else:
            stdout.write(
                f"people: {counts['houses']} houses, {counts['households']} households, "
                f"{counts['residents']} residents ({counts['migrants']} migrants), "
                f"{counts['memberships']} care memberships, {counts['visits_done']} visits, "
                f"{counts['checkin_plans']} daily check-ins ({counts['seconds']} s)\n"
            )
    return counts
