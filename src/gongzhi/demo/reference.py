"""What the demo's cases need to know of the platform, read once: the grids people report
from (weighted: the busy counties and the towns get more), the categories the demo has
texts for with their deadlines and owners, and who sits at each desk.

Routing answers come from ``cases.workflow.routing`` itself, cached by what they depend on.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from shapely.geometry import shape

from gongzhi.accounts.models import Membership, Organisation, OrganisationKind, Role
from gongzhi.cases.choices import HandlingLevel
from gongzhi.cases.models import Case, ChannelPolicy
from gongzhi.cases.workflow import routing
from gongzhi.demo.texts import TEXTS, Texts
from gongzhi.regions.models import GridAssignment, Region, RegionLevel
from gongzhi.taxonomy.models import Category

# Where the demo is busiest: 乐都区 and 平安区 carry most cases, towns more than villages.
COUNTY_WEIGHTS = {"630202": 7.0, "630203": 5.0}
OTHER_COUNTY_WEIGHT = 1.0
TOWN_WEIGHT = 3.0


@dataclass
class GridInfo:
    id: int
    code: str
    region_path: str
    community_id: int
    weight: float
    polygon: object
    county: str
    township_name: str


@dataclass
class CategoryInfo:
    id: int
    code: str
    name: str
    texts: Texts
    level: str | None
    sla: object
    urgent_sla: object
    obj: Category = field(repr=False, default=None)
    owner_id: int | None = None  # the effective owner: route_owner's fallback
    function: str = ""  # the department function a county-department rule looks for


class Reference:
    """Everything the stories need from the database, read in a handful of queries."""

    def __init__(self, grids, categories: list[CategoryInfo]):
        self.grids = grids
        self.categories = categories
        self.policies = {
            p.channel: (p.auto_accept, p.auto_dispatch) for p in ChannelPolicy.objects.all()
        }
        # The units whole: a dispatch names its unit, and the permission checks read paths.
        self.units = Organisation.objects.filter(is_active=True).in_bulk()
        staff = defaultdict(list)
        for org_id, user_id, role in (
            Membership.objects.filter(user__is_active=True, organisation__is_active=True)
            .order_by("id")
            .values_list("organisation_id", "user_id", "role")
        ):
            staff[(org_id, role)].append(user_id)
        self.staff = staff
        self.grid_worker = {}
        for grid_id, user_id in GridAssignment.objects.order_by("id").values_list(
            "grid_id", "user_id"
        ):
            self.grid_worker.setdefault(grid_id, user_id)
        operators = [
            u for (_o, role), users in staff.items() if role == Role.HOTLINE_OPERATOR for u in users
        ]
        self.operator = min(operators) if operators else None
        self.served = defaultdict(set)  # organisation kind → region codes its units serve
        for kind, code in Organisation.regions.through.objects.filter(
            organisation__is_active=True
        ).values_list("organisation__kind", "region__code"):
            self.served[kind].add(code)
        self._commands: dict[tuple, int | None] = {}
        self._owners: dict[tuple, int | None] = {}
        self._upper: dict[int, int | None] = {}
        self.departments = defaultdict(list)  # county code → its departments (for returns)
        for org_id, code in (
            Organisation.objects.filter(
                is_active=True, kind=OrganisationKind.DEPARTMENT, regions__level=RegionLevel.COUNTY
            )
            .order_by("code")
            .values_list("id", "regions__code")
        ):
            self.departments[code].append(org_id)

    def first(self, org_id, *roles) -> int | None:
        for role in roles:
            users = self.staff.get((org_id, role))
            if users:
                return users[0]
        return None

    def _served(self, kind: str, region_path: str) -> tuple:
        """The codes on the path that some unit of ``kind`` serves. routing's ``_serving``
        answers from these alone, so two paths with the same codes here get the same unit:
        a cache key that saves a routing call per grid."""
        return tuple(c for c in region_path.strip("/").split("/") if c in self.served[kind])

    def command_for(self, region_path: str) -> int | None:
        key = self._served(OrganisationKind.COMMAND_CENTRE, region_path)
        if key not in self._commands:
            found = routing.command_for(region_path)
            self._commands[key] = found.pk if found else None
        return self._commands[key]

    def owner_for(self, category: CategoryInfo, region_path: str) -> int | None:
        kind = {
            HandlingLevel.COMMUNITY: OrganisationKind.COMMUNITY,
            HandlingLevel.TOWNSHIP: OrganisationKind.TOWNSHIP,
            HandlingLevel.COUNTY_DEPARTMENT: OrganisationKind.DEPARTMENT,
        }.get(category.level)
        place = self._served(kind, region_path) if kind else ()
        key = (category.level, category.function, category.owner_id, place)
        if key not in self._owners:
            found = routing.route_owner(Case(category=category.obj, region_path=region_path))
            self._owners[key] = found.pk if found else None
        return self._owners[key]

    def upper_command(self, command_id: int | None) -> int | None:
        if command_id not in self._upper:
            probe = Case(command=self.units[command_id])
            found = routing.upper_command(probe)
            self._upper[command_id] = found.pk if found else None
        return self._upper[command_id]


def category_infos() -> list[CategoryInfo]:
    found = {
        c.full_name: c
        for c in Category.objects.filter(full_name__in=list(TEXTS), enabled=True).select_related(
            "parent__parent"
        )
    }
    infos = []
    for name, texts in TEXTS.items():
        category = found.get(name)
        if category is None:
            continue
        rule = routing.rule_for(category)
        normal = routing.sla_for(Case(category=category, is_urgent=False))
        urgent = routing.sla_for(Case(category=category, is_urgent=True))
        owner = routing.effective_owner(category)
        function = (rule.department_function if rule else "") or (owner.function if owner else "")
        infos.append(
            CategoryInfo(
                category.pk,
                category.code,
                name,
                texts,
                rule.level if rule else None,
                normal,
                urgent,
                category,
                owner.pk if owner else None,
                function,
            )
        )
    return infos


def grid_infos(grids) -> list[GridInfo]:
    rows = list(
        grids.filter(is_active=True, boundary__isnull=False)
        .order_by("id")
        .values("id", "code", "region_path", "community_id", "boundary")
    )
    codes = {code for r in rows for code in r["region_path"].strip("/").split("/")}
    regions = dict(Region.objects.filter(code__in=codes).values_list("code", "level"))
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    infos = []
    for r in rows:
        by_level = {regions.get(c): c for c in r["region_path"].strip("/").split("/")}
        county = by_level.get(RegionLevel.COUNTY, "")
        township = names.get(by_level.get(RegionLevel.TOWNSHIP), "")
        weight = COUNTY_WEIGHTS.get(county, OTHER_COUNTY_WEIGHT)
        if township.endswith(("镇", "街道")):
            weight *= TOWN_WEIGHT
        infos.append(
            GridInfo(
                r["id"],
                r["code"],
                r["region_path"],
                r["community_id"],
                weight,
                shape(r["boundary"]),
                county,
                township,
            )
        )
    # Spread a county's weight over its grids, so a county with many grids is not favoured.
    per_county = Counter(g.county for g in infos)
    for g in infos:
        g.weight /= per_county[g.county]
    return infos
