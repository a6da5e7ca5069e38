"""Where a case goes: its grid and region, its command centre, its lead unit, its deadlines
(the command centre's own for accepting and dispatching, the unit's for signing for and
resolving)."""

from __future__ import annotations

from gongzhi.accounts.models import Organisation, OrganisationKind
from gongzhi.cases.choices import HandlingLevel
from gongzhi.cases.models import RoutingRule
from gongzhi.cases.workflow import reference
from gongzhi.core.workdays import deadline
from gongzhi.regions.models import RegionLevel
from gongzhi.taxonomy.models import SlaPolicy, StageClock

# Apps above cases that decide where some cases go register here (the community app: a
# repair request goes to its estate's property company, on that company's promised times).
# An owner hook returns the unit or None; a deadline hook (sign_for_due, resolve_due) or None.
OWNER_HOOKS: list = []
DEADLINE_HOOKS: list = []


def register(*, owner=None, deadlines=None) -> None:
    if owner is not None and owner not in OWNER_HOOKS:
        OWNER_HOOKS.append(owner)
    if deadlines is not None and deadlines not in DEADLINE_HOOKS:
        DEADLINE_HOOKS.append(deadlines)


def _ancestor_codes(region_path: str) -> list[str]:
    """Region codes from the deepest up: "/630000/630200/630202/" → [630202, 630200, 630000]."""
    return [c for c in region_path.strip("/").split("/") if c][::-1]


def _serving(kind: str, region_path: str, function: str | None = None) -> Organisation | None:
    """The active unit of the given kind serving the deepest region on this path."""
    t = reference.table()
    for code in _ancestor_codes(region_path):
        for org_id in t.serving.get(code, ()):
            org = t.orgs[org_id]
            if org.kind == kind and (function is None or org.function == function):
                return org
    return None


def command_for(region_path: str) -> Organisation | None:
    found = _serving(OrganisationKind.COMMAND_CENTRE, region_path)
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
    served = sorted(reference.table().org_regions.get(current.pk, ()), key=len)
    if not served:
        return None
    parent_path = served[0].rstrip("/").rsplit("/", 1)[0] + "/"
    if parent_path == "/":
        return None
    return _serving(OrganisationKind.COMMAND_CENTRE, parent_path)


def rule_for(category) -> RoutingRule | None:
    rules = reference.table().rules
    codes = [c for c in category.path.strip("/").split("/") if c]
    for code in reversed(codes):  # the deepest category with a rule wins
        if code in rules:
            return rules[code]
    return None


def _walk_category(category, attribute: str):
    """The first non-empty ``attribute`` (owner_id, sla_id) from the category upwards."""
    rows = reference.table().categories
    node_id = category.pk
    while node_id is not None and node_id in rows:
        row = rows[node_id]
        value = getattr(row, attribute)
        if value:
            return value
        node_id = row.parent_id
    return None


def effective_owner(category) -> Organisation | None:
    """The category's owning unit, or the nearest ancestor's."""
    owner_id = _walk_category(category, "owner_id")
    return reference.table().orgs.get(owner_id) if owner_id else None


def route_owner(case) -> Organisation | None:
    """The lead unit the routing rules give for the case's category and place."""
    for hook in OWNER_HOOKS:
        found = hook(case)
        if found is not None:
            return found
    category = case.category
    rule = rule_for(category)
    owner = effective_owner(category)
    if rule is None or not case.region_path:
        return owner
    if rule.level == HandlingLevel.COMMUNITY:
        return _serving(OrganisationKind.COMMUNITY, case.region_path) or owner
    if rule.level == HandlingLevel.TOWNSHIP:
        return _serving(OrganisationKind.TOWNSHIP, case.region_path) or owner
    function = rule.department_function or (owner.function if owner else "")
    if not function:
        return owner
    if rule.level == HandlingLevel.COUNTY_DEPARTMENT:
        t = reference.table()
        for code in _ancestor_codes(case.region_path):
            if t.region_level.get(code) == RegionLevel.COUNTY:
                for org_id in t.serving.get(code, ()):
                    org = t.orgs[org_id]
                    if org.kind == OrganisationKind.DEPARTMENT and org.function == function:
                        return org
                break
    return owner


def sla_for(case) -> SlaPolicy | None:
    t = reference.table()
    if case.is_urgent and t.urgent is not None:
        return t.urgent
    sla_id = _walk_category(case.category, "sla_id")
    return t.slas.get(sla_id) if sla_id else None


def stage_due(case, stage: str, *, start):
    """When the command centre must have taken ``stage`` (accept, dispatch) for this case,
    counted from ``start``, by the time limit that fits its channel and urgency; None when
    no row fits."""
    clock = StageClock.choose(
        reference.table().clocks, stage=stage, channel=case.channel, is_urgent=case.is_urgent
    )
    return clock.deadline(start) if clock is not None else None


def deadlines(case, *, start):
    for hook in DEADLINE_HOOKS:
        found = hook(case, start=start)
        if found is not None:
            return found
    policy = sla_for(case)
    if policy is None:
        return None, None
    return (
        deadline(start, policy.sign_for_value, policy.sign_for_unit),
        deadline(start, policy.resolve_value, policy.resolve_unit),
    )
