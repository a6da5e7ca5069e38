"""The demo's legal-service units and people: in every county a 法律援助中心 (under the
county's 司法局) and a 公证处; a service point in every county (中心), township (工作站,
at its 司法所) and community (工作室), each community with its legal adviser from the
county's law firm; and the demo logins of a reviewer, the centre's director, the county
司法局, a village legal adviser, a second lawyer and a notary office (the resident and the
lawyer are the accounts demo's ``demo_resident`` and ``demo_lawyer``).

Idempotent: units, people and points are found by their codes and user names.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from gongzhi.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from gongzhi.demo.accounts import (
    DEMO_COUNTY_CODE,
    LAW_FIRM,
    Tree,
    demo_password,
    unit_code,
)
from gongzhi.legal.choices import PointLevel, Service
from gongzhi.legal.models import ServicePoint

AID_CENTRE = "FLYZ"
NOTARY = "GZC"
JUSTICE_BUREAU = "SFJ"
JUSTICE_OFFICE = "SFS"

# role, user name, name, job title, unit key ("" for the law firm)
LOGINS = [
    (Role.HANDLER, "demo_legal_reviewer", "李淑芳", "法律援助审查员", AID_CENTRE),
    (Role.LEADER, "demo_legal_director", "马德福", "法律援助中心主任", AID_CENTRE),
    (Role.HANDLER, "demo_justice", "冶成林", "司法局公共法律服务科", JUSTICE_BUREAU),
    (Role.LAWYER, "demo_legal_adviser", "韩雪梅", "村(社区)法律顾问", ""),
    (Role.LAWYER, "demo_lawyer2", "祁文华", "律师", ""),
    (Role.LAWYER, "demo_lawyer3", "张永强", "基层法律服务工作者", ""),
    (Role.HANDLER, "demo_notary", "李国华", "公证员", NOTARY),
]
SERVICES_BY_LEVEL = {
    PointLevel.CENTRE: [
        Service.LEGAL_AID,
        Service.ADVICE,
        Service.NOTARY,
        Service.MEDIATION,
        Service.OUTREACH,
    ],
    PointLevel.STATION: [Service.LEGAL_AID, Service.ADVICE, Service.MEDIATION, Service.OUTREACH],
    PointLevel.ROOM: [Service.ADVICE, Service.MEDIATION, Service.OUTREACH],
}
HOURS = {
    PointLevel.CENTRE: "周一至周五 9:00–12:00, 14:30–17:30",
    PointLevel.STATION: "周一至周五 9:00–17:00",
    PointLevel.ROOM: "每周三 9:00–12:00 法律顾问坐班",
}


def resident_community(tree: Tree):
    """The community the demo resident lives in (as ``demo.accounts`` chooses it)."""
    county = next((c for c in tree.counties if c.code == DEMO_COUNTY_CODE), None)
    county = county or (tree.counties[0] if tree.counties else None)
    if county is None:
        return None
    communities = [c for t in tree.townships_of(county) for c in tree.communities_of(t)]
    with_grids = [c for c in communities if len(tree.grids_by_community.get(c.pk, [])) >= 2]
    found = with_grids or [c for c in communities if tree.grids_by_community.get(c.pk)]
    return (found or communities or [None])[0]


def _unit(code, name, kind, parent, regions) -> Organisation:
    unit, _created = Organisation.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "parent": parent}
    )
    unit.regions.add(*regions)
    return unit


def _units(tree: Tree) -> dict[str, Organisation]:
    units = {}
    for county in tree.counties:
        bureau = Organisation.objects.filter(code=unit_code(county.code, JUSTICE_BUREAU)).first()
        units[unit_code(county.code, AID_CENTRE)] = _unit(
            unit_code(county.code, AID_CENTRE),
            f"{county.name}法律援助中心",
            OrganisationKind.LEGAL_AID_CENTRE,
            bureau,
            [county],
        )
        units[unit_code(county.code, NOTARY)] = _unit(
            unit_code(county.code, NOTARY),
            f"青海省海东市{county.name}公证处",
            OrganisationKind.NOTARY_OFFICE,
            None,
            [county],
        )
    return units


def _people(county_code: str) -> tuple[dict[str, User], list[dict]]:
    password = make_password(demo_password())
    users, logins = {}, []
    for role, username, name, title, key in LOGINS:
        code = unit_code(county_code, key or LAW_FIRM[0])
        unit = Organisation.objects.filter(code=code).first()
        user, _created = User.objects.get_or_create(
            username=username, defaults={"display_name": name, "password": password}
        )
        if unit is not None:
            Membership.objects.get_or_create(
                user=user,
                organisation=unit,
                role=role,
                defaults={"title": title, "is_head": role == Role.LEADER},
            )
        users[username] = user
        logins.append(
            {
                "role": str(role.value),
                "username": username,
                "password": demo_password(),
                "name": name,
                "organisation": unit.name if unit else "",
            }
        )
    return users, logins


def _point(code, name, level, region, unit, adviser=None, order=100) -> bool:
    _point, created = ServicePoint.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "level": level,
            "region": region,
            "organisation": unit,
            "address": f"{region.name}政务服务中心"
            if level != PointLevel.ROOM
            else f"{region.name}党群服务中心",
            "longitude": region.centre_lng,
            "latitude": region.centre_lat,
            "phone": "0972-12348",
            "hours": HOURS[level],
            "services": [str(s) for s in SERVICES_BY_LEVEL[level]],
            "adviser": adviser,
            "order": order,
        },
    )
    return created


def _points(tree: Tree, units, advisers: list[User], home) -> int:
    created = 0
    others = advisers[1:] or advisers
    for county in tree.counties:
        created += _point(
            f"pls-{county.code}",
            f"{county.name}公共法律服务中心",
            PointLevel.CENTRE,
            county,
            units.get(unit_code(county.code, AID_CENTRE)),
            order=10,
        )
        for township in tree.townships_of(county):
            office = Organisation.objects.filter(
                code=unit_code(township.code, JUSTICE_OFFICE)
            ).first()
            created += _point(
                f"pls-{township.code}",
                f"{township.name}公共法律服务工作站",
                PointLevel.STATION,
                township,
                office,
                order=20,
            )
            for index, community in enumerate(tree.communities_of(township)):
                if home is not None and community.pk == home.pk:
                    adviser = advisers[0]
                elif county.code == DEMO_COUNTY_CODE:
                    adviser = others[index % len(others)]
                else:
                    adviser = None
                created += _point(
                    f"pls-{community.code}",
                    f"{community.name}公共法律服务工作室",
                    PointLevel.ROOM,
                    community,
                    Organisation.objects.filter(code=community.code).first(),
                    adviser=adviser,
                    order=30,
                )
    return created


def load(*, stdout=None) -> dict:
    tree = Tree()
    units = _units(tree)
    county = next((c for c in tree.counties if c.code == DEMO_COUNTY_CODE), None)
    county_code = (county or (tree.counties[0] if tree.counties else tree.city)).code
    users, logins = _people(county_code)
    # The adviser of the demo resident's village first, then the firm's other lawyers.
    lawyers = {**users, **{u.username: u for u in User.objects.filter(username="demo_lawyer")}}
    advisers = [
        lawyers[name]
        for name in ("demo_legal_adviser", "demo_lawyer", "demo_lawyer2", "demo_lawyer3")
        if name in lawyers
    ]
    points = _points(tree, units, advisers, resident_community(tree))
    if stdout is not None:
        stdout.write(f"legal: {len(units)} units, {points} service points created\n")
    return {"counts": {"units": len(units), "points_created": points}, "logins": logins}
