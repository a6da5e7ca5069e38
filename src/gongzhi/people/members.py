"""Who is who in a village or community (the deliberation hall, the community app), read
from the People register and the user's posts (no extra roles):

- A **villager** is a user whose verified ID number is that of a current resident in the
  register (``people.Resident``): their village or community, household, whether they are
  an adult, and their offices there (``people.Office``: representative, committee member,
  Party member …). Only villagers raise, support, vote and rate in their own village.
- The **committee** of a village or community (两委 and its clerk) are the staff of its
  community organisation (kind ``community``): they answer topics, call meetings, sign
  people in and record the steps; its leader (the Party branch secretary, usually also
  the director: 一肩挑) proposes major matters.
- **Oversight**: a township's, county's or city's governing staff (and leaders) see every
  village in their area; administrators see everything.

Every ``*_paths`` function returns the region paths where the user does that work (empty:
nowhere), for ``region_path__startswith`` filters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from gongzhi.accounts.masking import mask_name, mask_numbers_in_text
from gongzhi.accounts.models import OrganisationKind, Role
from gongzhi.core.scope import Scope, scope_for

COMMITTEE_ROLES = frozenset({Role.HANDLER, Role.LEADER, Role.GRID_WORKER})
OVERSIGHT_KINDS = frozenset(
    {OrganisationKind.TOWNSHIP, OrganisationKind.GOVERNMENT, OrganisationKind.COMMAND_CENTRE}
)
# Offices the quorum of each basis counts (people.choices.OfficeKind values).
PARTY = frozenset({"party_member", "party_secretary", "party_committee"})
COMMITTEE = frozenset({"director", "committee", "party_secretary", "party_committee"})
ADULT_AGE = 18


@dataclass(frozen=True)
class Villager:
    resident_id: int
    household_id: int
    region_id: int
    region_path: str
    adult: bool
    offices: frozenset[str]

    @property
    def ballot(self) -> str:
        return f"r{self.resident_id}"

    @property
    def representative(self) -> bool:
        return "representative" in self.offices

    @property
    def party_member(self) -> bool:
        return bool(self.offices & PARTY)


def villager(user, *, on: dt.date | None = None) -> Villager | None:
    """The user's current entry in the register (by their ID number), or None: a user
    without a verified ID number, or not living here, is not a villager anywhere."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    id_number = (getattr(user, "id_number", "") or "").strip().upper()
    if not id_number:
        return None
    on = on or timezone.localdate()
    cache = getattr(user, "_gongzhi_villager", None)
    if cache is not None and cache[0] == (id_number, on):
        return cache[1]
    from gongzhi.people.models import Office, Resident

    resident = (
        Resident.objects.current()
        .filter(id_number=id_number)
        .only("id", "household_id", "region_id", "region_path", "birth_date")
        .first()
    )
    found = None
    if resident is not None:
        offices = frozenset(
            Office.objects.current(on).filter(resident=resident).values_list("kind", flat=True)
        )
        found = Villager(
            resident_id=resident.pk,
            household_id=resident.household_id,
            region_id=resident.region_id,
            region_path=resident.region_path,
            adult=resident.age_on(on) >= ADULT_AGE,
            offices=offices,
        )
    user._gongzhi_villager = ((id_number, on), found)
    return found


def _served(scope: Scope, kinds, roles) -> tuple[str, ...]:
    paths = {
        p for post in scope.posts if post.kind in kinds and post.role in roles for p in post.served
    }
    return tuple(sorted(paths))


def committee_paths(scope: Scope) -> tuple[str, ...]:
    """The villages and communities whose committee (or clerk) the user is on."""
    return _served(scope, {OrganisationKind.COMMUNITY}, COMMITTEE_ROLES)


def secretary_paths(scope: Scope) -> tuple[str, ...]:
    """Where the user leads the committee (proposes major matters: 党组织提议)."""
    return _served(scope, {OrganisationKind.COMMUNITY}, {Role.LEADER})


def oversight_paths(scope: Scope) -> tuple[str, ...]:
    """The areas whose villages the user oversees (township, county, city governing staff
    and leaders)."""
    paths = set(_served(scope, OVERSIGHT_KINDS, {Role.HANDLER, Role.LEADER, Role.DISPATCHER}))
    if Role.LEADER in scope.roles:
        paths.update(scope.region_paths)
    return tuple(sorted(paths))


def staff_paths(scope: Scope) -> tuple[str, ...]:
    return tuple(sorted({*committee_paths(scope), *oversight_paths(scope)}))


def covers(paths, region_path: str) -> bool:
    return any(region_path.startswith(p) for p in paths)


def is_committee(user, region_path: str) -> bool:
    scope = scope_for(user)
    return scope.everything or covers(committee_paths(scope), region_path)


def is_secretary(user, region_path: str) -> bool:
    scope = scope_for(user)
    return scope.everything or covers(secretary_paths(scope), region_path)


def oversees(user, region_path: str) -> bool:
    scope = scope_for(user)
    return scope.everything or covers(oversight_paths(scope), region_path)


def visible_paths(user) -> tuple[bool, tuple[str, ...]]:
    """(everything, paths): what the user sees of the hall's records when signed in: their
    work's area, and their own village as a villager."""
    scope = scope_for(user)
    if scope.everything:
        return True, ()
    paths = set(staff_paths(scope))
    me = villager(user)
    if me is not None:
        paths.add(me.region_path)
    return False, tuple(sorted(paths))


def is_urban(region) -> bool:
    """An urban community (居委会) rather than a village (村委会): by its name, as the
    register's own import does."""
    return not region.name.endswith(("村", "村委会"))


@dataclass(frozen=True)
class Counts:
    """A village's register on a day, as its meetings' quorum rules count it."""

    households: int
    adults: int
    representatives: int
    party_members: int
    committee: int

    def of(self, basis: str) -> int:
        return {
            "adults": self.adults,
            "households": self.households,
            "representatives": self.representatives,
            "party_members": self.party_members,
            "committee": self.committee,
        }.get(basis, 0)


def register_counts(region_id: int, *, on: dt.date | None = None) -> Counts:
    from gongzhi.people.models import Household, Office, Resident

    on = on or timezone.localdate()
    residents = Resident.objects.current().filter(region_id=region_id)
    try:
        born_by = on.replace(year=on.year - ADULT_AGE)
    except ValueError:  # 29 February
        born_by = on.replace(year=on.year - ADULT_AGE, day=28)
    offices = Office.objects.current(on).filter(
        region_id=region_id, resident__moved_out__isnull=True
    )

    def holders(kinds) -> int:
        return offices.filter(kind__in=kinds).values("resident_id").distinct().count()

    return Counts(
        households=Household.objects.filter(
            region_id=region_id, pk__in=residents.values("household_id")
        ).count(),
        adults=residents.filter(birth_date__lte=born_by).count(),
        representatives=holders({"representative"}),
        party_members=holders(PARTY),
        committee=holders(COMMITTEE),
    )


def public_text(region) -> Callable[[object], str]:
    """A function giving free text as anyone may read it on a place's public page or papers
    (the hall's page, the minutes): phone and ID numbers typed into it masked, and the names
    in the place's register too, wherever the committee or a resident typed one."""
    from gongzhi.people.models import Resident

    found = {
        n
        for n in Resident.objects.filter(region=region).values_list("name", flat=True)
        if len(n) >= 2
    }
    # Longest first, so 马建国 is masked whole and not as 马建 and a 国.
    names = (
        re.compile("|".join(re.escape(n) for n in sorted(found, key=len, reverse=True)))
        if found
        else None
    )

    def clean(text) -> str:
        text = mask_numbers_in_text(str(text or "")) or ""
        if names is not None and text:
            text = names.sub(lambda m: mask_name(m.group(0)), text)
        return text

    return clean
