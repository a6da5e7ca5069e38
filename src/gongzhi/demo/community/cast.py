"""Who and what the demo's community app works with, in 乐都区 (the demo county):

* estates (小区): the register's buildings of each community that has some, grouped by
  grid, one estate per grid;
* property companies (organisations of kind ``property_company``) serving those
  communities in turn, each with a head and a repair desk (``demo_property_head`` and
  ``demo_property`` for the first) and its service promises as rows;
* volunteers: accounts for adult residents of the register (one precomputed password hash
  for all, created in bulk), registered and checked; a team per community, its first
  volunteer its leader (``demo_volunteer``, ``demo_team_leader`` in the first);
* patrol routes: one per grid of the communities with teams, 4–8 checkpoints at points
  drawn inside the grid's polygon;
* a points shop with goods in three villages (places without buildings, named 村).

Idempotent: everything is found by its code, name or user name before it is made.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import numpy as np
import shapely.geometry
from django.contrib.auth.hashers import make_password
from django.db.models import Count
from django.utils import timezone

from gongzhi.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from gongzhi.community.choices import VolunteerState
from gongzhi.community.models import (
    Checkpoint,
    Estate,
    Goods,
    Route,
    ServicePromise,
    Shop,
    Team,
    TeamMember,
    Volunteer,
)
from gongzhi.demo.accounts import DEMO_COUNTY_CODE, demo_password
from gongzhi.demo.people import points_in
from gongzhi.people import members
from gongzhi.people.models import Building, Household, Resident
from gongzhi.regions.models import Grid, Region

VOLUNTEERS = 2_000
SHOPS = 3
ROUTES = 10  # at most, over the communities with teams (a month of scans each)
SEED = 21_08

# code suffix, name, short name, promise (respond minutes, repair hours)
COMPANIES = [
    ("WY1", "海东市鸿泰物业服务有限公司", "鸿泰物业", (30, 24)),
    ("WY2", "乐都区安居物业管理有限公司", "安居物业", (60, 48)),
    ("WY3", "青海绿洲物业服务有限公司", "绿洲物业", (30, 36)),
    ("WY4", "乐都区红色物业服务中心", "红色物业", (20, 24)),
]
# Category promises of the repair tree (code, respond minutes, repair hours): urgent ones
# sooner than the company's default.
URGENT = [("RP.03", 15, 4), ("RP.01", 30, 12)]
GOODS = [
    ("洗衣液", 30, 40),
    ("食用油 5L", 120, 20),
    ("大米 10kg", 150, 20),
    ("毛巾", 20, 60),
    ("保温杯", 80, 15),
    ("理发券", 40, 30),
]
CHECKPOINT_NAMES = [
    "小区大门",
    "单元楼道口",
    "配电房",
    "消防通道",
    "停车场",
    "健身广场",
    "垃圾分类点",
    "幼儿园门口",
    "河道护栏",
    "农贸市场",
]


@dataclass
class Company:
    org: Organisation
    head: User
    desk: User
    estates: list[Estate] = field(default_factory=list)


@dataclass
class Cast:
    county: Region | None = None
    communities: list[Region] = field(default_factory=list)  # those with estates
    estates: list[Estate] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    shops: list[Shop] = field(default_factory=list)
    staff: dict[int, User] = field(default_factory=dict)  # community id -> a staff account
    logins: list[dict] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.created[key] = self.created.get(key, 0) + n


def _login(cast: Cast, role, username: str, name: str, organisation: str) -> None:
    cast.logins.append(
        {
            "role": str(role),
            "username": username,
            "password": demo_password(),
            "name": name,
            "organisation": organisation,
        }
    )


def _user(cast: Cast, username: str, name: str, password: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": name, "password": password}
    )
    cast.add("accounts", created)
    return user


def _estates(cast: Cast) -> None:
    county = cast.county
    buildings = list(
        Building.objects.filter(region_path__startswith=county.path).order_by(
            "region_path", "grid_id", "id"
        )
    )
    by_place: dict[tuple[int, int | None], list[Building]] = {}
    for b in buildings:
        by_place.setdefault((b.region_id, b.grid_id), []).append(b)
    regions = Region.objects.in_bulk({r for r, _ in by_place})
    names = "阳光 幸福 和谐 锦绣 湟水 古城 金桥 紫薇 丽景 康乐 民和 东苑 西苑 南苑 北苑".split()
    for n, ((region_id, _grid), group) in enumerate(sorted(by_place.items(), key=str)):
        region = regions[region_id]
        name = f"{names[n % len(names)]}{'家园' if n % 2 else '小区'}"
        if n >= len(names):
            name = f"{name}{n // len(names) + 1}期"
        estate, created = Estate.objects.get_or_create(
            region=region,
            name=name,
            defaults={
                "address": group[0].address.split("号", 1)[0] + "号",
                "lng": round(sum(b.lng or 0 for b in group) / len(group), 6),
                "lat": round(sum(b.lat or 0 for b in group) / len(group), 6),
            },
        )
        if created:
            estate.buildings.set(group)
            cast.add("estates")
        cast.estates.append(estate)
        if region not in cast.communities:
            cast.communities.append(region)


def _companies(cast: Cast, password: str) -> None:
    from gongzhi.community.repairs.reference import ensure_seeded
    from gongzhi.taxonomy.models import Category

    ensure_seeded()
    urgent = Category.objects.in_bulk([c for c, _, _ in URGENT], field_name="code")
    county = cast.county
    parent = Organisation.objects.filter(code=county.code).first()
    for n, (suffix, name, short, (respond, repair)) in enumerate(COMPANIES):
        org, created = Organisation.objects.get_or_create(
            code=f"{county.code}-{suffix}",
            defaults={
                "name": name,
                "short_name": short,
                "kind": OrganisationKind.PROPERTY_COMPANY,
                "parent": parent,
                "phone": f"0972-86{n + 1}{n + 1}{n + 1}{n + 1}{n + 1}",
            },
        )
        cast.add("companies", created)
        head_name, desk_name = [("王建平", "李春梅"), ("张德胜", "马晓霞"),
                                ("祁海龙", "赵文娟"), ("韩国庆", "冶秀英")][n]  # fmt: skip
        if n == 0:
            head_u, desk_u = "demo_property_head", "demo_property"
        else:
            head_u, desk_u = f"wy{county.code}{n + 1}_head", f"wy{county.code}{n + 1}_desk"
        head = _user(cast, head_u, head_name, password)
        desk = _user(cast, desk_u, desk_name, password)
        for user, role, title in ((head, Role.LEADER, "总经理"), (desk, Role.HANDLER, "客服报修")):
            Membership.objects.get_or_create(
                user=user,
                organisation=org,
                role=role,
                defaults={"title": title, "is_head": role == Role.LEADER},
            )
        if n == 0:
            _login(cast, Role.HANDLER.value, desk_u, desk_name, name)
            _login(cast, Role.LEADER.value, head_u, head_name, name)
        _, made = ServicePromise.objects.get_or_create(
            company=org,
            category=None,
            defaults={
                "respond_value": respond,
                "respond_unit": "minutes",
                "repair_value": repair,
                "repair_unit": "hours",
            },
        )
        cast.add("promises", made)
        for code, minutes, hours in URGENT:
            if code in urgent:
                _, made = ServicePromise.objects.get_or_create(
                    company=org,
                    category=urgent[code],
                    defaults={
                        "respond_value": minutes,
                        "respond_unit": "minutes",
                        "repair_value": hours,
                        "repair_unit": "hours",
                    },
                )
                cast.add("promises", made)
        cast.companies.append(Company(org=org, head=head, desk=desk))
    # The estates in turn, so every company has several; a community's estates may have
    # different companies, and the company serves each such community.
    for n, estate in enumerate(cast.estates):
        company = cast.companies[n % len(cast.companies)]
        if estate.company_id is None:
            Estate.objects.filter(pk=estate.pk).update(company=company.org)
            estate.company = company.org
        company = next(c for c in cast.companies if c.org.pk == estate.company_id)
        company.estates.append(estate)
    for company in cast.companies:
        company.org.regions.add(*{e.region_id for e in company.estates})


def _places(cast: Cast) -> list[Region]:
    return [*cast.communities, *[s.region for s in cast.shops]]


def _staff(cast: Cast, password: str) -> None:
    """A committee account of each of the county's communities (its handler or leader,
    else a grid worker): who checked its volunteers, writes its notices, keeps its shop's
    counter. The estates' communities and the shops' villages without one get a clerk."""
    rank = {Role.HANDLER: 0, Role.LEADER: 1, Role.GRID_WORKER: 2}
    rows = sorted(
        Membership.objects.filter(
            organisation__kind=OrganisationKind.COMMUNITY,
            organisation__code__startswith=cast.county.code,
            role__in=list(rank),
        ).select_related("user", "organisation"),
        key=lambda m: (rank[m.role], m.pk),
    )
    by_code = dict(
        Region.objects.filter(path__startswith=cast.county.path).values_list("code", "pk")
    )
    for m in rows:
        if m.organisation.code in by_code and m.role != Role.GRID_WORKER:
            cast.staff.setdefault(by_code[m.organisation.code], m.user)
    for region in _places(cast):
        if region.pk in cast.staff:
            continue
        committee = Organisation.objects.filter(
            code=region.code, kind=OrganisationKind.COMMUNITY
        ).first()
        if committee is None:
            continue
        clerk = _user(cast, f"dc{region.code}", "社区专干", password)
        Membership.objects.get_or_create(
            user=clerk, organisation=committee, role=Role.HANDLER, defaults={"title": "社区专干"}
        )
        cast.staff[region.pk] = clerk
    for m in rows:
        if m.organisation.code in by_code:
            cast.staff.setdefault(by_code[m.organisation.code], m.user)


def _volunteers(cast: Cast, password: str, now: dt.datetime) -> None:
    today = timezone.localdate(now)
    county = cast.county
    born_by = today.replace(year=today.year - 18)
    born_after = today.replace(year=today.year - 70)
    existing = Volunteer.objects.filter(region_path__startswith=county.path).count()
    wanted = VOLUNTEERS - existing
    if wanted > 0:
        taken = set(
            User.objects.exclude(id_number="").values_list("id_number", flat=True)
        )  # a number already on an account (a villager, a demo login) stays theirs
        # The estates' communities first, then the rest of the county.
        order = {r.pk: n for n, r in enumerate(cast.communities)}
        candidates = (
            Resident.objects.current()
            .filter(
                region_path__startswith=county.path,
                birth_date__lte=born_by,
                birth_date__gt=born_after,
            )
            .exclude(id_number="")
            .order_by("id")
            .values(
                "id", "name", "id_number", "phone", "household_id", "region_id", "region_path"
            )  # fmt: skip
        )
        chosen = [c for c in candidates if c["id_number"] not in taken]
        chosen.sort(key=lambda c: (order.get(c["region_id"], len(order)), c["id"]))
        chosen = chosen[:wanted]
        users = [
            User(
                username=f"vol{c['id']}",
                display_name=c["name"],
                password=password,
                id_number=c["id_number"],
                mobile=c["phone"] or "",
            )
            for c in chosen
        ]
        User.objects.bulk_create(users, batch_size=500, ignore_conflicts=True)
        ids = dict(
            User.objects.filter(username__in=[u.username for u in users]).values_list(
                "username", "id"
            )
        )
        rng = random.Random(SEED)
        skills = ["", "", "电工", "医护", "驾驶", "法律咨询", "文艺", "厨艺"]
        Volunteer.objects.bulk_create(
            [
                Volunteer(
                    user_id=ids[f"vol{c['id']}"],
                    resident_id=c["id"],
                    household_id=c["household_id"],
                    region_id=c["region_id"],
                    region_path=c["region_path"],
                    name=c["name"],
                    phone=c["phone"] or "",
                    skills=rng.choice(skills),
                    state=VolunteerState.APPROVED,
                    checked_by=cast.staff.get(c["region_id"]),
                    checked_at=now - dt.timedelta(days=rng.randint(120, 400)),
                )
                for c in chosen
            ],
            batch_size=500,
        )
        cast.add("volunteers", len(chosen))


def _teams(cast: Cast) -> None:
    county = cast.county
    counts = dict(
        Volunteer.objects.filter(region_path__startswith=county.path, state="approved")
        .values_list("region_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    places = sorted(counts, key=lambda pk: -counts[pk])
    regions = Region.objects.in_bulk(places)
    first = True
    for pk in places:
        if counts[pk] < 4:
            continue
        region = regions[pk]
        team = Team.objects.filter(region=region, name=f"{region.name}群防群治志愿队").first()
        members = list(Volunteer.objects.filter(region=region, state="approved").order_by("id"))
        if team is None:
            leader = members[0].user
            team = Team.objects.create(
                region=region, name=f"{region.name}群防群治志愿队", leader=leader
            )
            TeamMember.objects.bulk_create(
                [TeamMember(team=team, volunteer=v) for v in members], ignore_conflicts=True
            )
            cast.add("teams")
        cast.teams.append(team)
        if first:
            first = False
            leader, volunteer = team.leader, members[1].user
            for user, username in ((leader, "demo_team_leader"), (volunteer, "demo_volunteer")):
                if (
                    user.username != username
                    and not User.objects.filter(username=username).exists()
                ):
                    User.objects.filter(pk=user.pk).update(username=username)
                    user.username = username
            _login(cast, "volunteer", "demo_team_leader", leader.display_name, team.name)
            _login(cast, "volunteer", "demo_volunteer", volunteer.display_name, team.name)


def _routes(cast: Cast) -> None:
    rng = np.random.default_rng(SEED)
    pick = random.Random(SEED)
    teams = {t.region_id: t for t in cast.teams}
    # The teams with the most volunteers first, so the demo leader's team has routes.
    rank = {t.region_id: n for n, t in enumerate(cast.teams)}
    grids = sorted(
        Grid.objects.filter(community_id__in=list(teams), is_active=True),
        key=lambda g: (rank[g.community_id], g.code),
    )
    per_place: dict[int, int] = {}
    for grid in grids:
        if len(cast.routes) >= ROUTES:
            break
        if per_place.get(grid.community_id, 0) >= 2 or not grid.boundary:
            continue
        per_place[grid.community_id] = per_place.get(grid.community_id, 0) + 1
        team = teams[grid.community_id]
        route, created = Route.objects.get_or_create(
            region_id=grid.community_id,
            name=f"{grid.name}夜间巡逻线",
            defaults={"team": team, "radius_m": 80},
        )
        if created:
            shape = shapely.geometry.shape(grid.boundary)
            n = pick.randint(4, 8)
            names = pick.sample(CHECKPOINT_NAMES, n)
            Checkpoint.objects.bulk_create(
                [
                    Checkpoint(route=route, order=i + 1, name=names[i], lng=lng, lat=lat)
                    for i, (lng, lat) in enumerate(points_in(shape, n, rng))
                ]
            )
            cast.add("routes")
        cast.routes.append(route)


def _shops(cast: Cast) -> None:
    county = cast.county
    with_buildings = set(
        Building.objects.filter(region_path__startswith=county.path).values_list(
            "region_id", flat=True
        )
    )
    counts = (
        Household.objects.filter(region_path__startswith=county.path)
        .exclude(region_id__in=with_buildings)
        .values_list("region_id")
        .annotate(n=Count("id"))
        .order_by("-n", "region_id")
    )
    # The fullest villages (村, by name as the register's import tells them) keep the shops.
    regions = Region.objects.in_bulk([pk for pk, _ in counts])
    places = [pk for pk, _ in counts if not members.is_urban(regions[pk])][:SHOPS]
    for pk in places:
        region = regions[pk]
        shop, created = Shop.objects.get_or_create(
            region=region,
            name=f"{region.name}积分超市",
            defaults={"counter": f"{region.name}党群服务中心一楼"},
        )
        if created:
            Goods.objects.bulk_create(
                [
                    Goods(shop=shop, name=name, price=price, stock=stock, order=i)
                    for i, (name, price, stock) in enumerate(GOODS)
                ]
            )
            cast.add("shops")
        cast.shops.append(shop)


def load(*, now: dt.datetime | None = None) -> Cast:
    now = now or timezone.now()
    cast = Cast(county=Region.objects.filter(code=DEMO_COUNTY_CODE).first())
    if cast.county is None:
        return cast
    from gongzhi.community.reference import ensure_seeded

    ensure_seeded()  # the rooms' reference rows (points rules, 移风易俗 caps, repair tree)
    password = make_password(demo_password())
    _estates(cast)
    if cast.estates:
        _companies(cast, password)
    _shops(cast)
    _staff(cast, password)
    _volunteers(cast, password, now)
    _teams(cast)
    _routes(cast)
    return cast
