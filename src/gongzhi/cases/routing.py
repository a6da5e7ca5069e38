"""Where a case goes: its grid and region, its command centre, its lead unit, its deadlines."""

from __future__ import annotations

from gongzhi.accounts.models import Organisation, OrganisationKind
from gongzhi.core.workdays import deadline
from gongzhi.regions.models import Region, RegionLevel
from gongzhi.taxonomy.models import SlaPolicy

from .choices import HandlingLevel
from .models import RoutingRule

URGENT_SLA_CODE = "urgent"


def _ancestor_codes(region_path: str) -> list[str]:
    """Region codes from the deepest up: "/630000/630200/630202/" → [630202, 630200, 630000]."""
    return [c for c in region_path.strip("/").split("/") if c][::-1]


def _serving(kind_q: dict, region_path: str) -> Organisation | None:
    """The unit of the given kind serving the deepest region on this path."""
    codes = _ancestor_codes(region_path)
    if not codes:
        return None
    candidates = (
        Organisation.objects.filter(is_active=True, regions__code__in=codes, **kind_q)
        .distinct()
        .prefetch_related("regions")
    )
    best, best_depth = None, -1
    for org in candidates:
        for region in org.regions.all():
            if region.code in codes:
                depth = len(codes) - codes.index(region.code)
                if depth > best_depth:
                    best, best_depth = org, depth
    return best


def command_for(region_path: str) -> Organisation | None:
    found = _serving({"kind": OrganisationKind.COMMAND_CENTRE}, region_path)
    if found is None:  # no location: the top command centre takes it
        found = (
            Organisation.objects.filter(
                kind=OrganisationKind.COMMAND_CENTRE, is_active=True, parent__parent__isnull=True
            )
            .order_by("path")
            .first()
        )
    return found


def upper_command(case) -> Organisation | None:
    """The command centre one level above the case's current one."""
    current = case.command
    if current is None:
        return command_for(case.region_path)
    served = sorted(current.regions.all(), key=lambda r: len(r.path))
    if not served:
        return None
    parent_path = served[0].path.rstrip("/").rsplit("/", 1)[0] + "/"
    if parent_path == "/":
        return None
    return _serving({"kind": OrganisationKind.COMMAND_CENTRE}, parent_path)


def rule_for(category) -> RoutingRule | None:
    codes = [c for c in category.path.strip("/").split("/") if c]
    rules = {
        r.category.code: r
        for r in RoutingRule.objects.filter(enabled=True, category__code__in=codes).select_related(
            "category"
        )
    }
    for code in reversed(codes):  # the deepest category with a rule wins
        if code in rules:
            return rules[code]
    return None


def _region_at(region_path: str, level: str) -> Region | None:
    codes = _ancestor_codes(region_path)
    return Region.objects.filter(code__in=codes, level=level).first() if codes else None


def effective_owner(category) -> Organisation | None:
    """The category's owning unit, or the nearest ancestor's."""
    node = category
    while node is not None:
        if node.owner_id:
            return node.owner
        node = node.parent
    return None


def route_owner(case) -> Organisation | None:
    """The lead unit the routing rules give for the case's category and place."""
    category = case.category
    rule = rule_for(category)
    owner = effective_owner(category)
    if rule is None or not case.region_path:
        return owner
    if rule.level == HandlingLevel.COMMUNITY:
        return _serving({"kind": OrganisationKind.COMMUNITY}, case.region_path) or owner
    if rule.level == HandlingLevel.TOWNSHIP:
        return _serving({"kind": OrganisationKind.TOWNSHIP}, case.region_path) or owner
    function = rule.department_function or (owner.function if owner else "")
    if not function:
        return owner
    if rule.level == HandlingLevel.COUNTY_DEPARTMENT:
        county = _region_at(case.region_path, RegionLevel.COUNTY)
        if county is not None:
            found = Organisation.objects.filter(
                is_active=True, function=function, regions=county, kind=OrganisationKind.DEPARTMENT
            ).first()
            if found:
                return found
    return owner


def sla_for(case) -> SlaPolicy | None:
    if case.is_urgent:
        urgent = SlaPolicy.objects.filter(code=URGENT_SLA_CODE, enabled=True).first()
        if urgent:
            return urgent
    return case.category.effective_sla()


def deadlines(case, *, start):
    policy = sla_for(case)
    if policy is None:
        return None, None
    return (
        deadline(start, policy.sign_for_value, policy.sign_for_unit),
        deadline(start, policy.resolve_value, policy.resolve_unit),
    )
