"""海东 demo organisations and people (called by ``gongzhi demo load`` after the regions).

``load(stdout=None) -> list[dict]`` creates, idempotently:

* 海东市人民政府, the city command centre (海东市社会治理综合指挥中心) and the city
  departments (codes ``630200-<KEY>``, see ``CITY_DEPARTMENTS``);
* for each county of the city: its government (code = county code), its command centre
  and its main departments (``<county>-<KEY>``);
* for each township: its government (code = township code) with its justice office
  (``<township>-SFS``) and police station (``<township>-PCS``);
* for each community: its residents' or villagers' committee (code = community code);
* in 乐都区: two property companies and a law firm;
* one demo login for every role (see ``DEMO_PEOPLE``), and one grid worker per community
  (user name ``gw<community code>``) assigned to the community's grids;
* a people's mediator (``med<unit code>``) in every unit that holds disputes: each
  community's committee, each 司法所 and each county's command centre (its 矛调中心),
  besides the three mediation logins (village, 司法所, county).

Every unit serves the regions it looks after (``Organisation.regions``). A second run
changes nothing: rows are compared before anything is written, and passwords are set only
when an account is created. All demo accounts share one password, ``GONGZHI_DEMO_PASSWORD``
from the environment or ``Gongzhi@2026``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from gongzhi.accounts.validators import id_check_digit
from gongzhi.core.fields import with_digests
from gongzhi.regions.models import Grid, GridAssignment, Region, RegionLevel

DEFAULT_DEMO_PASSWORD = "Gongzhi@2026"
DEMO_COUNTY_CODE = "630202"  # 乐都区: where the demo people who work in a county sit


def demo_password() -> str:
    return os.environ.get("GONGZHI_DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def city_code() -> str:
    return settings.GONGZHI.get("DEMO_CITY_CODE", "630200")


# -- organisation codes (imported by demo.categories) ---------------------------------

COMMAND_CENTRE = "ZZZX"

# key → (name without the city's name, short name)
CITY_DEPARTMENTS: dict[str, tuple[str, str]] = {
    "ZFB": ("人民政府办公室", "市政府办"),
    "ZFW": ("委政法委员会", "市委政法委"),
    "JW": ("纪委监委", "市纪委监委"),
    "FGW": ("发展和改革委员会", "市发改委"),
    "GXJ": ("工业和信息化局", "市工信局"),
    "CGJ": ("城市管理局（综合行政执法局）", "市城管局"),
    "ZJJ": ("住房和城乡建设局", "市住建局"),
    "STHJJ": ("生态环境局", "市生态环境局"),
    "JTYSJ": ("交通运输局", "市交通运输局"),
    "SWJ": ("水务局", "市水务局"),
    "SCJGJ": ("市场监督管理局", "市市场监管局"),
    "GAJ": ("公安局", "市公安局"),
    "SFJ": ("司法局", "市司法局"),
    "WJW": ("卫生健康委员会", "市卫健委"),
    "JYJ": ("教育局", "市教育局"),
    "RSJ": ("人力资源和社会保障局", "市人社局"),
    "YJGLJ": ("应急管理局", "市应急局"),
    "ZRZYJ": ("自然资源局", "市自然资源局"),
    "MZJ": ("民政局", "市民政局"),
    "NYNCJ": ("农业农村局", "市农业农村局"),
    "WLJ": ("文体旅游广电局", "市文体旅广局"),
}

# key → name after the county's name
COUNTY_DEPARTMENTS: dict[str, str] = {
    "CGJ": "城市管理局",
    "ZJJ": "住房和城乡建设局",
    "GAJ": "公安局",
    "SFJ": "司法局",
    "MZJ": "民政局",
    "SCJGJ": "市场监督管理局",
    "YJGLJ": "应急管理局",
    "WJJ": "卫生健康局",
    "JYJ": "教育局",
    "RSJ": "人力资源和社会保障局",
    "JTYSJ": "交通运输局",
    "SLJ": "水利局",
    "ZRZYJ": "自然资源局",
    "NYNCJ": "农业农村局",
    "STHJJ": "生态环境局",
}


# County departments whose key differs from the city department doing the same work.
COUNTY_FUNCTION = {"WJJ": "WJW", "SLJ": "SWJ"}


def unit_code(region_code: str, key: str) -> str:
    """The code of a unit of a city or county (``630200-CGJ``) or township (``…-SFS``)."""
    return f"{region_code}-{key}"


def city_department_code(key: str) -> str:
    if key not in CITY_DEPARTMENTS and key != COMMAND_CENTRE:
        raise KeyError(f"no city department {key!r}")
    return unit_code(city_code(), key)


def county_department_code(county_code: str, key: str) -> str:
    return unit_code(county_code, key)


JUSTICE_OFFICE = "SFS"
POLICE_STATION = "PCS"
PROPERTY_COMPANIES = [
    ("WY01", "海东市乐都区安居物业服务有限公司", "安居物业"),
    ("WY02", "青海河湟物业管理有限公司", "河湟物业"),
]
LAW_FIRM = ("LS01", "青海湟水律师事务所", "湟水律所")


# -- specifications ---------------------------------------------------------------------


@dataclass
class OrgSpec:
    code: str
    name: str
    kind: str
    parent_code: str | None
    regions: tuple[str, ...]
    short_name: str = ""
    function: str = ""


@dataclass
class PersonSpec:
    role: str
    username: str
    name: str
    organisation_code: str | None
    title: str = ""
    is_head: bool = False
    is_staff: bool = False
    is_superuser: bool = False
    id_region: str = DEMO_COUNTY_CODE
    grids: list[int] = field(default_factory=list)
    login: bool = True  # listed among the demo logins


def _county_name(county: Region) -> str:
    return county.name


def _township_government_name(township: Region) -> str:
    if township.name.endswith("街道"):
        return f"{township.name}办事处"
    return f"{township.name}人民政府"


def _community_committee_name(community: Region) -> str:
    if community.name.endswith("村"):
        return f"{community.name}村民委员会"
    return f"{community.name}居民委员会"


def _county_department_name(county: Region, key: str) -> str:
    if key == "GAJ" and county.name.endswith("区"):
        return f"海东市公安局{county.name}分局"
    return county.name + COUNTY_DEPARTMENTS[key]


class Tree:
    """The 海东 regions the demo needs, read once."""

    def __init__(self):
        code = city_code()
        try:
            self.city = Region.objects.get(code=code)
        except Region.DoesNotExist:
            raise RuntimeError(
                f"region {code} is missing: load the regions before the demo organisations"
            ) from None
        below = Region.objects.filter(path__startswith=self.city.path).exclude(pk=self.city.pk)
        self.counties = list(below.filter(level=RegionLevel.COUNTY).order_by("code"))
        self.townships = list(below.filter(level=RegionLevel.TOWNSHIP).order_by("code"))
        self.communities = list(below.filter(level=RegionLevel.COMMUNITY).order_by("code"))
        self.by_pk = {
            r.pk: r for r in [self.city, *self.counties, *self.townships, *self.communities]
        }
        self.grids_by_community: dict[int, list[tuple[int, str]]] = {}
        for pk, community_id, grid_code in (
            Grid.objects.filter(community__in=self.communities, is_active=True)
            .order_by("code")
            .values_list("pk", "community_id", "code")
        ):
            self.grids_by_community.setdefault(community_id, []).append((pk, grid_code))

    def parent_of(self, region: Region) -> Region | None:
        return self.by_pk.get(region.parent_id)

    def county_of(self, region: Region) -> Region | None:
        node = region
        while node is not None and node.level != RegionLevel.COUNTY:
            node = self.parent_of(node)
        return node

    def townships_of(self, county: Region) -> list[Region]:
        return [t for t in self.townships if t.path.startswith(county.path)]

    def communities_of(self, township: Region) -> list[Region]:
        return [c for c in self.communities if c.path.startswith(township.path)]


def _organisation_specs(tree: Tree) -> list[OrgSpec]:
    city = tree.city
    specs = [
        OrgSpec(
            city.code,
            f"{city.name}人民政府",
            OrganisationKind.GOVERNMENT,
            None,
            (city.code,),
            f"{city.name}政府",
        ),
        OrgSpec(
            unit_code(city.code, COMMAND_CENTRE),
            f"{city.name}社会治理综合指挥中心",
            OrganisationKind.COMMAND_CENTRE,
            city.code,
            (city.code,),
            "市综治中心",
        ),
    ]
    for key, (name, short) in CITY_DEPARTMENTS.items():
        prefix = "中共" + city.name if name.startswith("委") else city.name
        specs.append(
            OrgSpec(
                unit_code(city.code, key),
                prefix + name,
                OrganisationKind.DEPARTMENT,
                city.code,
                (city.code,),
                short,
                function=key,
            )
        )
    for county in tree.counties:
        specs.append(
            OrgSpec(
                county.code,
                f"{county.name}人民政府",
                OrganisationKind.GOVERNMENT,
                city.code,
                (county.code,),
                f"{county.name}政府",
            )
        )
        specs.append(
            OrgSpec(
                unit_code(county.code, COMMAND_CENTRE),
                f"{county.name}社会治理综合指挥中心",
                OrganisationKind.COMMAND_CENTRE,
                county.code,
                (county.code,),
                f"{county.name}综治中心",
            )
        )
        for key in COUNTY_DEPARTMENTS:
            specs.append(
                OrgSpec(
                    unit_code(county.code, key),
                    _county_department_name(county, key),
                    OrganisationKind.DEPARTMENT,
                    county.code,
                    (county.code,),
                    function=COUNTY_FUNCTION.get(key, key),
                )
            )
        for township in tree.townships_of(county):
            specs.append(
                OrgSpec(
                    township.code,
                    _township_government_name(township),
                    OrganisationKind.TOWNSHIP,
                    county.code,
                    (township.code,),
                )
            )
            specs.append(
                OrgSpec(
                    unit_code(township.code, JUSTICE_OFFICE),
                    f"{township.name}司法所",
                    OrganisationKind.JUSTICE_OFFICE,
                    township.code,
                    (township.code,),
                )
            )
            specs.append(
                OrgSpec(
                    unit_code(township.code, POLICE_STATION),
                    f"{township.name}派出所",
                    OrganisationKind.POLICE_STATION,
                    township.code,
                    (township.code,),
                )
            )
            for community in tree.communities_of(township):
                specs.append(
                    OrgSpec(
                        community.code,
                        _community_committee_name(community),
                        OrganisationKind.COMMUNITY,
                        township.code,
                        (community.code,),
                    )
                )
    demo_county = _demo_county(tree)
    if demo_county is not None:
        served = [c.code for t in tree.townships_of(demo_county) for c in tree.communities_of(t)]
        for index, (key, name, short) in enumerate(PROPERTY_COMPANIES):
            regions = tuple(served[index * 2 : index * 2 + 2]) or (demo_county.code,)
            specs.append(
                OrgSpec(
                    unit_code(demo_county.code, key),
                    name,
                    OrganisationKind.PROPERTY_COMPANY,
                    None,
                    regions,
                    short,
                )
            )
        key, name, short = LAW_FIRM
        specs.append(
            OrgSpec(
                unit_code(demo_county.code, key),
                name,
                OrganisationKind.LAW_FIRM,
                None,
                (demo_county.code,),
                short,
            )
        )
    return specs


def _demo_county(tree: Tree) -> Region | None:
    for county in tree.counties:
        if county.code == DEMO_COUNTY_CODE:
            return county
    return tree.counties[0] if tree.counties else None


# -- people ----------------------------------------------------------------------------

SURNAMES = "马马马韩李李王王张张祁朱刘赵冶陈杨孙何鲁汪乔吉许蒲谢胡郭周吴星安魏"
MALE_GIVEN = "建国志强永福海军文明德成玉龙金山长青振华国栋宏伟学军生福贵发有财明亮兴旺"
FEMALE_GIVEN = "秀兰玉梅晓燕桂英春花海霞丽娟雪莲红梅淑珍小芳文静兰英艳丽巧玲彩霞"


def _pairs(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(0, len(text) - 1, 2)]


def synthetic_name(rng: random.Random) -> tuple[str, bool]:
    """A plausible Chinese name and whether it is a man's."""
    male = rng.random() < 0.5
    given = rng.choice(_pairs(MALE_GIVEN if male else FEMALE_GIVEN))
    if rng.random() < 0.3:
        given = given[rng.randrange(2)]
    return rng.choice(SURNAMES) + given, male


def synthetic_mobile(seed: str) -> str:
    digest = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return f"139{digest % 10**8:08d}"


def synthetic_id_number(rng: random.Random, region_code: str, male: bool) -> str:
    born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(365 * 35))
    sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
    first17 = f"{region_code[:6]}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_digit(first17)


# role, user name, name, job title
DEMO_PEOPLE = [
    (Role.RESIDENT, "demo_resident", "马秀兰", ""),
    (Role.GRID_WORKER, "demo_grid", "李建国", "专职网格员"),
    (Role.HOTLINE_OPERATOR, "demo_hotline", "张晓燕", "12345热线话务员"),
    (Role.DISPATCHER, "demo_dispatcher", "王志强", "市综治中心调度员"),
    (Role.DISPATCHER, "demo_dispatcher_county", "祁玉梅", "区综治中心调度员"),
    (Role.HANDLER, "demo_handler", "韩永福", "城管执法队员"),
    (Role.MEDIATOR, "demo_mediator", "冶海军", "人民调解员"),
    (Role.LAWYER, "demo_lawyer", "赵文静", "律师"),
    (Role.LEADER, "demo_leader", "刘振华", "副市长"),
    (Role.LEADER, "demo_township_head", "朱长青", "镇长"),
    (Role.ADMINISTRATOR, "demo_admin", "陈立新", "系统管理员"),
    # 三员分立: the accounts and rights, and the audit log, each kept by another person.
    (Role.SECURITY_ADMIN, "demo_security", "李淑珍", "安全管理员"),
    (Role.AUDIT_ADMIN, "demo_audit", "何文斌", "安全审计员"),
    # Dispute mediation at its three levels: the demo community's mediation committee, its
    # township's 司法所, and the county's 矛调中心 (kept by its command centre, which holds
    # the county's disputes: mediation.levels.HOLDERS).
    (Role.MEDIATOR, "demo_village_mediator", "韩学军", "人民调解委员会调解员"),
    (Role.MEDIATOR, "demo_township_mediator", "祁春花", "司法所专职人民调解员"),
    (Role.MEDIATOR, "demo_county_mediation", "汪国栋", "矛盾纠纷多元化解中心调解员"),
    # The people register: the community's officer, and the township 派出所's community
    # policeman (a police station sees the care groups its function needs).
    (Role.HANDLER, "demo_community", "杨丽娟", "社区专干"),
    (Role.HANDLER, "demo_police", "韩振军", "派出所社区民警"),
]


def _people_specs(tree: Tree) -> tuple[list[PersonSpec], list[PersonSpec]]:
    """(the demo logins, the grid workers of the other communities)."""
    city = tree.city
    county = _demo_county(tree)
    townships = tree.townships_of(county) if county else []
    township = townships[0] if townships else None
    communities = [c for t in townships for c in tree.communities_of(t)]
    with_grids = [c for c in communities if len(tree.grids_by_community.get(c.pk, [])) >= 2]
    community = (
        with_grids
        or [c for c in communities if tree.grids_by_community.get(c.pk)]
        or communities
        or [None]
    )[0]
    county_code = county.code if county else city.code
    where = {
        "demo_resident": (None, community.code if community else county_code),
        "demo_grid": (community.code if community else None, county_code),
        "demo_hotline": (unit_code(city.code, COMMAND_CENTRE), county_code),
        "demo_dispatcher": (unit_code(city.code, COMMAND_CENTRE), county_code),
        "demo_dispatcher_county": (
            unit_code(county_code, COMMAND_CENTRE) if county else None,
            county_code,
        ),
        "demo_handler": (unit_code(county_code, "CGJ") if county else None, county_code),
        "demo_mediator": (
            unit_code(township.code, JUSTICE_OFFICE) if township else None,
            county_code,
        ),
        "demo_lawyer": (unit_code(county_code, LAW_FIRM[0]) if county else None, county_code),
        "demo_leader": (city.code, county_code),
        "demo_township_head": (township.code if township else None, county_code),
        "demo_admin": (unit_code(city.code, COMMAND_CENTRE), county_code),
        "demo_security": (unit_code(city.code, COMMAND_CENTRE), county_code),
        "demo_audit": (unit_code(city.code, COMMAND_CENTRE), county_code),
        "demo_village_mediator": (community.code if community else None, county_code),
        "demo_township_mediator": (
            unit_code(tree.parent_of(community).code, JUSTICE_OFFICE) if community else None,
            county_code,
        ),
        "demo_county_mediation": (
            unit_code(county_code, COMMAND_CENTRE) if county else None,
            county_code,
        ),
        "demo_community": (community.code if community else None, county_code),
        "demo_police": (
            unit_code(tree.parent_of(community).code, POLICE_STATION) if community else None,
            county_code,
        ),
    }
    people = []
    for role, username, name, title in DEMO_PEOPLE:
        organisation_code, id_region = where[username]
        if role != Role.RESIDENT and organisation_code is None:
            continue  # the regions lack the place this person works in
        spec = PersonSpec(
            role=role,
            username=username,
            name=name,
            organisation_code=organisation_code,
            title=title,
            id_region=id_region,
            is_head=username == "demo_township_head",
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        if username == "demo_grid" and community is not None:
            spec.grids = [pk for pk, _ in tree.grids_by_community.get(community.pk, [])[:3]]
        people.append(spec)

    grid_workers = []
    for other in tree.communities:
        if community is not None and other.pk == community.pk:
            continue  # demo_grid is this community's grid worker
        rng = random.Random(f"gongzhi-demo:{other.code}")
        name, _male = synthetic_name(rng)
        county_of = tree.county_of(other)
        grid_workers.append(
            PersonSpec(
                role=Role.GRID_WORKER,
                username=f"gw{other.code}",
                name=name,
                organisation_code=other.code,
                title="专职网格员",
                id_region=county_of.code if county_of else city.code,
                grids=[pk for pk, _ in tree.grids_by_community.get(other.pk, [])],
                login=False,
            )
        )
    return people, grid_workers


# Who keeps a unit's desk when no demo login works there: without them the demo's timelines
# would show the platform itself dispatching, signing for and resolving most cases, and the
# live simulator (which acts only as real people) could move few of them.
# A command centre both dispatches and answers what it keeps (a consultation, say).
DESK_STAFF = {
    OrganisationKind.COMMAND_CENTRE: (
        (Role.DISPATCHER, "值班调度员"),
        (Role.HANDLER, "综合受理员"),
    ),
    OrganisationKind.DEPARTMENT: ((Role.HANDLER, "业务科员"),),
    OrganisationKind.TOWNSHIP: ((Role.HANDLER, "综治干部"),),
    OrganisationKind.COMMUNITY: ((Role.HANDLER, "社区干部"),),
}
# Who counts as sitting at a desk of that role (a leader may sign for the unit's cases).
SITS_AT = {Role.DISPATCHER: {Role.DISPATCHER}, Role.HANDLER: {Role.HANDLER, Role.LEADER}}


def _desk_staff_specs(
    organisations: list[OrgSpec], people: list[PersonSpec], tree: Tree
) -> list[PersonSpec]:
    """One synthetic person at each desk no demo login sits at (not among the logins)."""
    staff = []
    for org in organisations:
        for role, title in DESK_STAFF.get(org.kind, ()):
            if any(p.organisation_code == org.code and p.role in SITS_AT[role] for p in people):
                continue
            rng = random.Random(f"gongzhi-demo-desk:{org.code}:{role}")
            name, _male = synthetic_name(rng)
            region = org.regions[0] if org.regions else tree.city.code
            # The centre's second desk gets a suffix; every other name is as it always was.
            suffix = "h" if role == Role.HANDLER and len(DESK_STAFF[org.kind]) > 1 else ""
            staff.append(
                PersonSpec(
                    role=role,
                    username=f"desk{org.code}{suffix}".replace("-", "").lower()[:150],
                    name=name,
                    organisation_code=org.code,
                    title=title,
                    id_region=region[:6],  # a region code begins with its county's
                    login=False,
                )
            )
    return staff


# The head of each unit a case can be given to: 督办 (supervision) notifies the owner's head,
# and a unit without one is a data error the platform logs (notify.organisation_heads).
UNIT_HEADS = {
    OrganisationKind.COMMAND_CENTRE: "中心主任",
    OrganisationKind.DEPARTMENT: "局长",
    OrganisationKind.TOWNSHIP: "乡镇长",
    OrganisationKind.COMMUNITY: "主任",
}


def _head_specs(
    organisations: list[OrgSpec], people: list[PersonSpec], tree: Tree
) -> list[PersonSpec]:
    """One synthetic head in each unit that may own a case and has no demo login as head."""
    heads = []
    for org in organisations:
        title = UNIT_HEADS.get(org.kind)
        if title is None or any(p.organisation_code == org.code and p.is_head for p in people):
            continue
        name, _male = synthetic_name(random.Random(f"gongzhi-demo-head:{org.code}"))
        heads.append(
            PersonSpec(
                role=Role.LEADER,
                username=f"head{org.code}".replace("-", "").lower(),
                name=name,
                organisation_code=org.code,
                title=title,
                is_head=True,
                id_region=(org.regions[0] if org.regions else tree.city.code)[:6],
                login=False,
            )
        )
    return heads


# The people's mediators (人民调解员) of the units that hold disputes (mediation.levels):
# every village or community's mediation committee, every township's 司法所 and every
# county's command centre, which keeps the county's 矛调中心. Without them a demo dispute
# would have nobody to accept and mediate it.
MEDIATION_DESKS = {
    OrganisationKind.COMMUNITY: "人民调解委员会主任",
    OrganisationKind.JUSTICE_OFFICE: "司法所人民调解员",
    OrganisationKind.COMMAND_CENTRE: "矛调中心专职调解员",
}


def _mediator_specs(
    organisations: list[OrgSpec], people: list[PersonSpec], tree: Tree
) -> list[PersonSpec]:
    """One synthetic mediator in each unit that holds disputes and has no demo mediator
    (not among the logins). The city's command centre holds none."""
    counties = {c.code for c in tree.counties}
    staff = []
    for org in organisations:
        title = MEDIATION_DESKS.get(org.kind)
        if title is None:
            continue
        if org.kind == OrganisationKind.COMMAND_CENTRE and not set(org.regions) & counties:
            continue
        if any(p.organisation_code == org.code and p.role == Role.MEDIATOR for p in people):
            continue
        name, _male = synthetic_name(random.Random(f"gongzhi-demo-mediator:{org.code}"))
        staff.append(
            PersonSpec(
                role=Role.MEDIATOR,
                username=f"med{org.code}".replace("-", "").lower(),
                name=name,
                organisation_code=org.code,
                title=title,
                id_region=(org.regions[0] if org.regions else tree.city.code)[:6],
                login=False,
            )
        )
    return staff


def _personal_data(spec: PersonSpec) -> tuple[str, str]:
    rng = random.Random(f"gongzhi-demo-person:{spec.username}")
    male = rng.random() < 0.5
    return synthetic_mobile(spec.username), synthetic_id_number(rng, spec.id_region, male)


# -- writing ----------------------------------------------------------------------------


@dataclass
class Counts:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, created: int = 0, updated: int = 0) -> None:
        self.created[what] = self.created.get(what, 0) + created
        self.updated[what] = self.updated.get(what, 0) + updated


def _sync_organisations(
    specs: list[OrgSpec], tree: Tree, counts: Counts
) -> dict[str, Organisation]:
    codes = [s.code for s in specs]
    existing = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
    parent_codes = {s.parent_code for s in specs if s.parent_code} - set(codes)
    existing.update({o.code: o for o in Organisation.objects.filter(code__in=parent_codes)})
    now = timezone.now()
    pending = list(specs)
    created = updated = 0
    while pending:
        ready = [s for s in pending if s.parent_code is None or s.parent_code in existing]
        if not ready:
            raise RuntimeError("demo organisations refer to parents that do not exist")
        batch = []
        for spec in ready:
            parent = existing.get(spec.parent_code) if spec.parent_code else None
            current = existing.get(spec.code)
            if current is None:
                batch.append(
                    Organisation(
                        code=spec.code,
                        name=spec.name,
                        short_name=spec.short_name,
                        kind=spec.kind,
                        function=spec.function,
                        parent=parent,
                        path=(parent.path if parent else "/") + f"{spec.code}/",
                        created_at=now,
                        updated_at=now,
                    )
                )
                continue
            wanted = {
                "name": spec.name,
                "short_name": spec.short_name,
                "kind": spec.kind,
                "function": spec.function,
                "parent_id": parent.pk if parent else None,
            }
            if any(getattr(current, k) != v for k, v in wanted.items()):
                for k, v in wanted.items():
                    setattr(current, k, v)
                current.save()  # keeps the paths of the units below right
                updated += 1
        Organisation.objects.bulk_create(batch)
        if batch and batch[0].pk is None:
            batch = list(Organisation.objects.filter(code__in=[o.code for o in batch]))
        existing.update({o.code: o for o in batch})
        created += len(batch)
        done = {id(s) for s in ready}
        pending = [s for s in pending if id(s) not in done]
    counts.add("organisations", created, updated)

    # Regions served: exactly those of the specification.
    region_ids = {r.code: r.pk for r in tree.by_pk.values()}
    Through = Organisation.regions.through
    organisation_ids = [existing[c].pk for c in codes]
    have = set(
        Through.objects.filter(organisation_id__in=organisation_ids).values_list(
            "organisation_id", "region_id"
        )
    )
    want = {
        (existing[s.code].pk, region_ids[r]) for s in specs for r in s.regions if r in region_ids
    }
    missing = want - have
    extra = have - want
    Through.objects.bulk_create(
        [Through(organisation_id=o, region_id=r) for o, r in sorted(missing)]
    )
    for organisation_id, region_id in extra:
        Through.objects.filter(organisation_id=organisation_id, region_id=region_id).delete()
    counts.add("regions served", len(missing), len(extra))
    return existing


def _sync_people(
    people: list[PersonSpec], organisations: dict[str, Organisation], counts: Counts
) -> dict[str, User]:
    password_hash = None
    existing = {
        u.username: u for u in User.objects.filter(username__in=[p.username for p in people])
    }
    to_create, to_update = [], []
    fields = ("display_name", "mobile", "id_number", "is_staff", "is_superuser")
    for spec in people:
        mobile, id_number = _personal_data(spec)
        wanted = {
            "display_name": spec.name,
            "mobile": mobile,
            "id_number": id_number,
            "is_staff": spec.is_staff,
            "is_superuser": spec.is_superuser,
        }
        user = existing.get(spec.username)
        if user is None:
            if password_hash is None:
                password_hash = make_password(demo_password())  # hashing is slow: once
            to_create.append(User(username=spec.username, password=password_hash, **wanted))
        elif any(getattr(user, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(user, k, v)
            to_update.append(user)
    User.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        User.objects.bulk_update(to_update, with_digests(to_update, fields), batch_size=500)
    counts.add("people", len(to_create), len(to_update))
    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in people])}

    have = {
        (m.user_id, m.organisation_id, m.role): m
        for m in Membership.objects.filter(user__in=users.values())
    }
    new_members, changed = [], []
    now = timezone.now()
    for spec in people:
        if spec.organisation_code is None:
            continue
        user, organisation = users[spec.username], organisations[spec.organisation_code]
        membership = have.get((user.pk, organisation.pk, spec.role))
        if membership is None:
            new_members.append(
                Membership(
                    user=user,
                    organisation=organisation,
                    role=spec.role,
                    title=spec.title,
                    is_head=spec.is_head,
                    created_at=now,
                    updated_at=now,
                )
            )
        elif (membership.title, membership.is_head) != (spec.title, spec.is_head):
            membership.title, membership.is_head, membership.updated_at = (
                spec.title,
                spec.is_head,
                now,
            )
            changed.append(membership)
    Membership.objects.bulk_create(new_members, batch_size=500)
    if changed:
        Membership.objects.bulk_update(changed, ["title", "is_head", "updated_at"])
    counts.add("memberships", len(new_members), len(changed))

    assigned = set(
        GridAssignment.objects.filter(user__in=users.values()).values_list("grid_id", "user_id")
    )
    new_assignments = [
        GridAssignment(
            grid_id=grid_id,
            user=users[spec.username],
            duty=GridAssignment.Duty.PRIMARY,
            created_at=now,
            updated_at=now,
        )
        for spec in people
        for grid_id in spec.grids
        if (grid_id, users[spec.username].pk) not in assigned
    ]
    GridAssignment.objects.bulk_create(new_assignments, batch_size=500)
    counts.add("grid assignments", len(new_assignments))
    return users


def load(*, stdout=None) -> list[dict]:
    """Create the demo organisations and people; return the demo logins."""
    counts = Counts()
    with transaction.atomic():
        tree = Tree()
        org_specs = _organisation_specs(tree)
        organisations = _sync_organisations(org_specs, tree, counts)
        people, grid_workers = _people_specs(tree)
        desks = _desk_staff_specs(org_specs, people, tree)
        mediators = _mediator_specs(org_specs, people, tree)
        heads = _head_specs(org_specs, people, tree)
        _sync_people(people + grid_workers + desks + mediators + heads, organisations, counts)
    if stdout is not None:
        for what in counts.created:
            stdout.write(
                f"accounts: {what}: {counts.created[what]} created, {counts.updated[what]} updated\n"
            )
    password = demo_password()
    return [
        {
            "role": spec.role.value if hasattr(spec.role, "value") else str(spec.role),
            "username": spec.username,
            "password": password,
            "name": spec.name,
            "organisation": organisations[spec.organisation_code].name
            if spec.organisation_code
            else "",
        }
        for spec in people
    ]
