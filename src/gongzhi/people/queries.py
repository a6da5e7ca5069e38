"""Selectors the register's pages and downloads list from.

Every list starts from a model's ``visible_to(user)`` and reads in a fixed number of
queries whatever the number of rows: related rows are joined (``select_related``) or
annotated, a resident's groups are one prefetch (``with_care``, which shows only the groups
the user may see). Places (grids, communities) are annotated by name, never joined whole: a
grid or region row carries its boundary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone

from gongzhi.regions.models import Grid, Region, RegionLevel

from .access import access_for, may_see_group, parse_functions, paths_q
from .models import CareGroup, CareMembership, House, Household, Resident, Stay

PER_PAGE = 50
MAX_EXPORT_ROWS = 20_000  # more is refused: narrow the filters (an export is a report)
MAX_CHOICES = 2000  # grids or communities offered in a filter

CURRENT, MOVED_OUT, EVERYONE = "current", "moved_out", "all"


@dataclass(frozen=True)
class Filters:
    """What a register list is narrowed to (parsed by ``forms.RegisterFilterForm``)."""

    grid_id: int | None = None
    community_id: int | None = None
    kind: str = ""
    group: CareGroup | None = None
    status: str = CURRENT
    q: str = ""


# -- what a user may pick ----------------------------------------------------------------------


def _paths(user) -> list[str]:
    """The places whose people the user reads: those they govern and those their units'
    care functions serve."""
    access = access_for(user)
    paths = list(access.governed_paths)
    for served in access.functions.values():
        paths += served
    return paths


def grids_for(user) -> list[Grid]:
    """The active grids of the user's area (a grid worker: their own), for filters."""
    access = access_for(user)
    grids = Grid.objects.filter(is_active=True)
    if not access.everything:
        grids = grids.filter(
            Q(pk__in=sorted(access.grid_ids)) | paths_q("region_path", _paths(user))
        )
    return list(grids.only("pk", "code", "name", "region_path").order_by("code")[:MAX_CHOICES])


def writable_grids(user) -> list[Grid]:
    """The grids where the user may add houses: those of the register they govern."""
    access = access_for(user)
    grids = Grid.objects.filter(is_active=True)
    if not access.everything:
        grids = grids.filter(
            Q(pk__in=sorted(access.grid_ids)) | paths_q("region_path", access.governed_paths)
        )
    return list(grids.only("pk", "code", "name").order_by("code")[:MAX_CHOICES])


def communities_for(user) -> list[Region]:
    """The communities and villages of the user's area, for filters (none for a grid
    worker, whose grids are the finer choice)."""
    access = access_for(user)
    places = Region.objects.filter(level=RegionLevel.COMMUNITY)
    if not access.everything:
        paths = _paths(user)
        if not paths:
            return []
        places = places.filter(paths_q("path", paths))
    return list(places.only("pk", "name", "path").order_by("path")[:MAX_CHOICES])


def groups_for(user) -> list[CareGroup]:
    """The care groups whose members the user may see somewhere (``access.care_scope_q``'s
    rule read per group): a grid worker never gets a restricted group."""
    access = access_for(user)
    mine = set(access.functions)
    return [
        g
        for g in CareGroup.objects.filter(enabled=True).select_related("default_level")
        if (g.open_to_local and access.sees_register) or parse_functions(g.functions) & mine
    ]


def reads_people(user) -> bool:
    """Whether the user sees any people: the register's staff, or a unit whose care
    function some group lists (a 城管局 has a function, but no group needs it)."""
    return access_for(user).sees_register or bool(groups_for(user))


def enrol_groups(user, resident: Resident) -> list[CareGroup]:
    """The groups the user may put this resident in (``services.check_enrol`` decides)."""
    return [
        g
        for g in groups_for(user)
        if may_see_group(user, g, grid_id=resident.grid_id, region_path=resident.region_path)
    ]


# -- lists ---------------------------------------------------------------------------------------


def _search(q: str, address: str, number: str) -> Q:
    return Q(**{f"{address}__icontains": q}) | Q(**{f"{number}__startswith": q})


def houses(user, f: Filters):
    found = House.objects.visible_to(user)
    if f.grid_id:
        found = found.filter(grid_id=f.grid_id)
    if f.community_id:
        found = found.filter(region_id=f.community_id)
    if f.q:
        found = found.filter(Q(address__icontains=f.q) | Q(households__number__startswith=f.q))
        found = found.distinct()
    return found.annotate(
        grid_name=F("grid__name"),
        community_name=F("region__name"),
        household_count=Count("households", distinct=True),
    ).order_by("region_path", "address", "id")


def households(user, f: Filters):
    found = Household.objects.visible_to(user)
    if f.grid_id:
        found = found.filter(grid_id=f.grid_id)
    if f.community_id:
        found = found.filter(region_id=f.community_id)
    if f.kind:
        found = found.filter(kind=f.kind)
    if f.q:
        found = found.filter(_search(f.q, "house__address", "number"))
    return (
        found.select_related("house", "head")
        .annotate(
            grid_name=F("grid__name"),
            community_name=F("region__name"),
            members=Count("residents", filter=Q(residents__moved_out__isnull=True)),
        )
        .order_by("region_path", "number", "id")
    )


def residents(user, f: Filters, *, on: dt.date | None = None):
    """The residents a user may see, narrowed by the filters, with their house, places and
    the groups the user may see (``visible_care``)."""
    found = Resident.objects.visible_to(user)
    if f.status == CURRENT:
        found = found.current()
    elif f.status == MOVED_OUT:
        found = found.filter(moved_out__isnull=False)
    if f.grid_id:
        found = found.filter(grid_id=f.grid_id)
    if f.community_id:
        found = found.filter(region_id=f.community_id)
    if f.kind:
        found = found.filter(kind=f.kind)
    if f.group is not None:
        found = found.in_group(user, f.group, on=on)
    if f.q:
        found = found.filter(_search(f.q, "household__house__address", "household__number"))
    # Household and house are prefetched for the page, not joined: with them joined,
    # PostgreSQL reads a grid worker's page along the whole region_path index (1,000,000
    # rows filtered to find their 1,500: 400 ms) rather than their grids' (10 ms).
    return (
        found.annotate(grid_name=F("grid__name"), community_name=F("region__name"))
        .prefetch_related("household__house")
        .with_care(user, on=on)
        .order_by("region_path", "household_id", "id")
    )


def members(user, group: CareGroup, *, grid_id: int | None = None, on: dt.date | None = None):
    """The current members of a care group the user may see (empty for a group they may
    not), with the resident, house, level and worker."""
    found = (
        CareMembership.objects.visible_to(user)
        .current(on)
        .filter(group=group, resident__moved_out__isnull=True)
    )
    if grid_id:
        found = found.filter(grid_id=grid_id)
    return (
        found.select_related("resident__household__house", "level", "worker")
        .annotate(grid_name=F("grid__name"))
        .order_by("grid_id", "resident__household_id", "resident_id")
    )


def group_counts(user, *, on: dt.date | None = None) -> dict[int, int]:
    """How many current members of each group the user may see, by group id."""
    return dict(
        CareMembership.objects.visible_to(user)
        .current(on)
        .filter(resident__moved_out__isnull=True)
        .values_list("group_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


# -- one record ----------------------------------------------------------------------------------


def resident_for(user, pk: int) -> Resident | None:
    return (
        Resident.objects.visible_to(user)
        .select_related("household__house", "grid", "region")
        .with_care(user)
        .filter(pk=pk)
        .first()
    )


def household_for(user, pk: int) -> Household | None:
    return (
        Household.objects.visible_to(user)
        .select_related("house", "grid", "region", "head")
        .filter(pk=pk)
        .first()
    )


def household_members(user, household: Household):
    """Everyone registered in the household, current first, with their visible groups."""
    return (
        Resident.objects.visible_to(user)
        .filter(household=household)
        .with_care(user)
        .order_by(F("moved_out").asc(nulls_first=True), "id")
    )


def house_for(user, pk: int) -> House | None:
    return (
        House.objects.visible_to(user)
        .select_related("grid", "region", "building")
        .filter(pk=pk)
        .first()
    )


def house_households(user, house: House):
    return (
        Household.objects.visible_to(user)
        .filter(house=house)
        .select_related("head")
        .annotate(members=Count("residents", filter=Q(residents__moved_out__isnull=True)))
        .order_by("number", "id")
    )


def house_stays(user, house: House, *, today: dt.date | None = None) -> list[Stay]:
    """The tenants' stays in the house, latest first; each marked ``ended`` when its end has
    passed (a tenant still registered there is to be checked)."""
    today = today or timezone.localdate()
    stays = list(Stay.objects.visible_to(user).filter(house=house).select_related("resident"))
    for stay in stays:
        stay.ended = stay.until < today
    return stays
