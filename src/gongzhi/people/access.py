"""Who sees which people: the register's scope and the care groups' restriction.

Two rules, both plain filters on a row's own columns (``grid_id``, ``region_path``,
``group_id``), so lists count, group and order without repeated rows:

* **The register** (buildings, houses, households, residents) is seen by those who govern
  the place: a grid worker sees the grids assigned to them (only those, not the whole
  community); the other staff of a community or village committee, a township, a county or
  city government or command centre see the places their unit serves. Departments, justice
  offices and police stations govern no place: they see a resident only through a care
  group their work needs (below). Administrators see the whole register.

* **A care group's members** (``CareMembership``) are seen:
  - when the group is ``open_to_local``, by whoever sees the member's place in the register
    (the grid worker of the grid, the community, the township, the administrators);
  - by the staff of a unit whose *function* the group lists (``CareGroup.functions``, e.g.
    ``SFJ,GAJ`` for 社区矫正对象), in the places that unit serves. A justice office (司法所)
    is the justice bureau's unit in its township and a police station (派出所) the public
    security bureau's, so they count as ``SFJ`` and ``GAJ``.
  A role alone (leader, dispatcher, administrator) shows no member of a restricted group;
  leaders see how many there are (``CareMembership.objects.for_figures``), not who.

``care_scope_q(user)`` is the one condition every queryset of memberships goes through;
a resident's groups are read only through it (``ResidentQuerySet.with_care``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q

from gongzhi.accounts.models import Membership, Organisation, OrganisationKind, Role
from gongzhi.accounts.scoping import GOVERNING_KINDS
from gongzhi.core.scope import scope_for

# The function a unit without a function code does in its township.
KIND_FUNCTION = {
    OrganisationKind.JUSTICE_OFFICE: "SFJ",
    OrganisationKind.POLICE_STATION: "GAJ",
}

NOTHING = Q(pk__in=[])
ANYTHING = Q(pk__isnull=False)  # a true condition that stays true when combined with |


@dataclass(frozen=True)
class PeopleAccess:
    everything: bool = False
    grid_ids: frozenset[int] = frozenset()
    governed_paths: tuple[str, ...] = ()
    # {function code: region paths served by the user's units with that function}
    functions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def sees_register(self) -> bool:
        return self.everything or bool(self.grid_ids or self.governed_paths)

    def governs(self, *, grid_id: int | None, region_path: str) -> bool:
        """Whether a record at this place is in the user's register."""
        return (
            self.everything
            or (grid_id is not None and grid_id in self.grid_ids)
            or any(region_path.startswith(p) for p in self.governed_paths)
        )


def _minimal(paths) -> tuple[str, ...]:
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def access_for(user) -> PeopleAccess:
    """The user's access to the register and the care groups, built once per user object
    (a request keeps its user), in three small queries."""
    if user is None or not getattr(user, "is_authenticated", False):
        return PeopleAccess()
    cached = getattr(user, "_gongzhi_people_access", None)
    if cached is not None:
        return cached
    everything = scope_for(user).everything
    memberships = [
        m
        for m in Membership.objects.filter(user=user, organisation__is_active=True)
        .exclude(role=Role.RESIDENT)
        .select_related("organisation")
    ]
    served: dict[int, list[str]] = defaultdict(list)
    for org_id, path in Organisation.regions.through.objects.filter(
        organisation_id__in={m.organisation_id for m in memberships}
    ).values_list("organisation_id", "region__path"):
        served[org_id].append(path)
    governed: list[str] = []
    functions: dict[str, list[str]] = defaultdict(list)
    grid_ids: frozenset[int] = frozenset()
    for m in memberships:
        org = m.organisation
        if m.role == Role.GRID_WORKER:
            continue  # a grid worker's register is their grids, read below
        if org.kind in GOVERNING_KINDS:
            governed += served[org.pk]
        code = org.function or KIND_FUNCTION.get(org.kind, "")
        if code:
            functions[code] += served[org.pk]
    if any(m.role == Role.GRID_WORKER for m in memberships):
        from gongzhi.regions.models import GridAssignment

        grid_ids = frozenset(
            GridAssignment.objects.filter(user=user, grid__is_active=True).values_list(
                "grid_id", flat=True
            )
        )
    access = PeopleAccess(
        everything=everything,
        grid_ids=grid_ids,
        governed_paths=_minimal(governed),
        functions={code: _minimal(paths) for code, paths in functions.items() if paths},
    )
    user._gongzhi_people_access = access
    return access


def paths_q(lookup: str, paths) -> Q:
    return reduce(or_, (Q(**{f"{lookup}__startswith": p}) for p in paths), NOTHING)


def register_q(user, *, grid: str = "grid_id", path: str = "region_path") -> Q:
    """The register's rule as a condition on a model's grid and region path columns."""
    access = access_for(user)
    if access.everything:
        return ANYTHING
    condition = NOTHING
    if access.grid_ids:
        condition |= Q(**{f"{grid}__in": sorted(access.grid_ids)})
    return condition | paths_q(path, access.governed_paths)


def parse_functions(text: str) -> set[str]:
    """``"SFJ, GAJ"`` → ``{"SFJ", "GAJ"}``."""
    return {
        code.strip().upper() for code in (text or "").replace("，", ",").split(",") if code.strip()
    }


def care_scope_q(user) -> Q:
    """The memberships of care groups ``user`` may see, as a condition on
    ``CareMembership`` (see the module's docstring for the rule)."""
    from .models import CareGroup  # the rule is read from the groups' rows

    access = access_for(user)
    if not (access.sees_register or access.functions):
        return NOTHING
    groups = list(CareGroup.objects.values_list("pk", "functions", "open_to_local"))
    condition = NOTHING
    open_ids = sorted(pk for pk, _functions, is_open in groups if is_open)
    if open_ids and access.sees_register:
        condition |= Q(group_id__in=open_ids) & register_q(user)
    for code, paths in access.functions.items():
        ids = sorted(pk for pk, functions, _open in groups if code in parse_functions(functions))
        if ids:
            condition |= Q(group_id__in=ids) & paths_q("region_path", paths)
    return condition


def may_see_group(user, group, *, grid_id: int | None, region_path: str) -> bool:
    """Whether a member of ``group`` at this place would be visible to ``user`` (checked
    before a membership is written, so nobody enrols a person they could not then see)."""
    access = access_for(user)
    if group.open_to_local and access.governs(grid_id=grid_id, region_path=region_path):
        return True
    return any(
        any(region_path.startswith(p) for p in access.functions.get(code, ()))
        for code in parse_functions(group.functions)
    )
