"""Who takes part in the demo's deliberation hall, in places across 海东 (``_villages``):
the demo township's first three villages, its fullest town community (a 社区, so the
居民会议's rules show beside the 村民会议's), the fullest village of another township of
乐都区 and of four other counties (the fullest of those whose register has one). In each, the heads of
some households with accounts (their ID numbers on the accounts, so the register knows
them as villagers), representatives, Party members and committee offices marked in the
register (``people.Office``); in the first village the committee's clerk
(``demo_village_clerk``) and its Party branch secretary (``demo_village_secretary``), and a
villager login (``demo_villager``).

Idempotent: accounts are found by their user names, offices by their holder and kind.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db.models import Count
from django.utils import timezone

from gongzhi.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from gongzhi.deliberation import members
from gongzhi.deliberation.choices import MeetingKind
from gongzhi.demo.accounts import DEMO_COUNTY_CODE, Tree, demo_password
from gongzhi.people.models import Household, Office, Resident
from gongzhi.regions.models import Region

HOME_VILLAGES = 3  # the demo township's first villages
# Nine places in all: a year of history costs a few seconds a place.
OTHER_TOWNSHIPS = 1  # 乐都区's other townships with a village in the hall
OTHER_COUNTIES = 4  # of 海东's five other counties, those with the fullest villages
# Households a place needs in the register: in the demo township enough heads for the
# first village's 18 at a session; elsewhere, where the register is thinner
# (``demo.people.DENSITY``: 海东's other counties a third as dense as 乐都区), fewer.
MIN_HOUSEHOLDS = 20
MIN_ELSEWHERE = 16
ACCOUNTS_PER_VILLAGE = 16
REPRESENTATIVES = 15
PARTY_MEMBERS = 7
# The committee's staff in the first village: role, user name, name, job title.
COMMITTEE = [
    (Role.LEADER, "demo_village_secretary", "祁永红", "村党支部书记、村委会主任"),
    (Role.HANDLER, "demo_village_clerk", "马文斌", "村文书"),
]
URBAN_TITLES = {Role.LEADER: "社区党委书记、居委会主任", Role.HANDLER: "社区专干"}


@dataclass
class Village:
    region: Region
    committee: Organisation
    clerk: User
    secretary: User
    villagers: list[User] = field(default_factory=list)  # accounts of household heads
    heads: list[Resident] = field(default_factory=list)  # their register entries
    all_heads: list[Resident] = field(default_factory=list)  # every household's head
    representatives: list[Resident] = field(default_factory=list)
    party: list[Resident] = field(default_factory=list)
    households: int = 0

    @property
    def urban(self) -> bool:
        return members.is_urban(self.region)

    @property
    def assembly(self) -> tuple[str, str]:
        """The kind and name of the place's assembly (村民会议 or 居民会议)."""
        if self.urban:
            return MeetingKind.RESIDENT_ASSEMBLY, "居民会议"
        return MeetingKind.VILLAGE_ASSEMBLY, "村民会议"

    @property
    def representatives_meeting(self) -> tuple[str, str]:
        if self.urban:
            return MeetingKind.RESIDENT_REPRESENTATIVES, "居民代表会议"
        return MeetingKind.VILLAGE_REPRESENTATIVES, "村民代表会议"


@dataclass
class Cast:
    villages: list[Village] = field(default_factory=list)
    logins: list[dict] = field(default_factory=list)
    created: int = 0


def _villages(tree: Tree) -> list[Region]:
    """The hall's places, the first the demo logins' village. Which places are villages
    the regions' names say (``members.is_urban``), as for the meetings' rules."""
    county = next((c for c in tree.counties if c.code == DEMO_COUNTY_CODE), None)
    townships = tree.townships_of(county) if county else []
    if not townships:
        return []
    counts = dict(
        Household.objects.filter(region__path__startswith=tree.city.path)
        .values_list("region_id")
        .annotate(n=Count("id"))
        .order_by()
    )

    def full(township, least=MIN_HOUSEHOLDS, *, urban=False) -> list[Region]:
        """The township's places of the kind with ``least`` households, fullest first."""
        places = [
            c
            for c in tree.communities_of(township)
            if members.is_urban(c) == urban and counts.get(c.pk, 0) >= least
        ]
        return sorted(places, key=lambda c: (-counts[c.pk], c.code))

    home = townships[0]
    found = sorted(full(home), key=lambda c: c.code)[:HOME_VILLAGES]
    found += full(home, urban=True)[:1]
    # 乐都区's other townships: their fullest villages, the fullest first.
    others = [p for t in townships[1:] for p in full(t, MIN_ELSEWHERE)[:1]]
    found += sorted(others, key=lambda c: (-counts[c.pk], c.code))[:OTHER_TOWNSHIPS]
    # 海东's other counties: the fullest village of each that has one, the fullest first.
    best = []
    for other in tree.counties:
        if other.pk != county.pk:
            places = [p for t in tree.townships_of(other) for p in full(t, MIN_ELSEWHERE)]
            best += sorted(places, key=lambda c: (-counts[c.pk], c.code))[:1]
    return found + sorted(best, key=lambda c: (-counts[c.pk], c.code))[:OTHER_COUNTIES]


def _account(username, name, password, *, id_number="", mobile="") -> tuple[User, bool]:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": name,
            "password": password,
            "id_number": id_number,
            "mobile": mobile,
        },
    )
    return user, created


def _staff(village: Region, committee: Organisation, password: str, cast: Cast, first: bool):
    people = {}
    for role, username, name, title in COMMITTEE:
        if not first:
            username = f"{username}_{village.code}"
        if members.is_urban(village):
            title = URBAN_TITLES[role]
        user, created = _account(username, name, password)
        cast.created += created
        Membership.objects.get_or_create(
            user=user,
            organisation=committee,
            role=role,
            defaults={"title": title, "is_head": role == Role.LEADER},
        )
        people[role] = user
        if first:
            cast.logins.append(
                {
                    "role": str(role.value),
                    "username": username,
                    "password": demo_password(),
                    "name": name,
                    "organisation": committee.name,
                }
            )
    return people[Role.HANDLER], people[Role.LEADER]


def _office(resident: Resident, kind: str, since: dt.date) -> None:
    if Office.objects.filter(resident=resident, kind=kind, until__isnull=True).exists():
        return
    Office.objects.create(
        resident=resident,
        kind=kind,
        since=since,
        region_id=resident.region_id,
        grid_id=resident.grid_id,
        region_path=resident.region_path,
    )


def _heads(region: Region, on: dt.date) -> list[Resident]:
    """Adult heads of the village's households with an ID number, one per household."""
    born_by = on.replace(year=on.year - 20)
    heads = (
        Resident.objects.current()
        .filter(region=region, relation="head", birth_date__lte=born_by)
        .exclude(id_number="")
        .order_by("household_id", "id")
    )
    seen, out = set(), []
    for r in heads:
        if r.household_id not in seen:
            seen.add(r.household_id)
            out.append(r)
    return out


def _villagers(village: Village, heads: list[Resident], password: str, cast: Cast, first: bool):
    taken = set(
        User.objects.filter(id_number__in=[h.id_number for h in heads]).values_list(
            "id_number", flat=True
        )
    )
    for n, head in enumerate(heads[:ACCOUNTS_PER_VILLAGE]):
        username = "demo_villager" if first and n == 0 else f"dv{village.region.code}_{n:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            if head.id_number in taken:
                continue  # someone else's account already carries this number
            user, created = _account(
                username, head.name, password, id_number=head.id_number, mobile=head.phone or ""
            )
            cast.created += created
        village.villagers.append(user)
        village.heads.append(head)
        if username == "demo_villager":
            cast.logins.append(
                {
                    "role": str(Role.RESIDENT.value),
                    "username": username,
                    "password": demo_password(),
                    "name": head.name,
                    "organisation": village.region.name,
                }
            )


def load(*, stdout=None) -> Cast:
    cast = Cast()
    tree = Tree()
    password = make_password(demo_password())
    today = timezone.localdate()
    since = today.replace(year=today.year - 3, month=1, day=1)
    for index, region in enumerate(_villages(tree)):
        committee = Organisation.objects.filter(
            code=region.code, kind=OrganisationKind.COMMUNITY
        ).first()
        if committee is None:
            continue
        first = index == 0
        clerk, secretary = _staff(region, committee, password, cast, first)
        village = Village(region=region, committee=committee, clerk=clerk, secretary=secretary)
        heads = _heads(region, today)
        village.all_heads = heads
        _villagers(village, heads, password, cast, first)
        # Representatives: about one household in five, the account holders among them so
        # that the demo's logins may sign in at a representatives' meeting.
        step = max(1, len(heads) // (REPRESENTATIVES * 2))
        reps = heads[:8] + heads[8::step][: REPRESENTATIVES - 8]
        for head in reps:
            _office(head, "representative", since)
        for head in heads[:PARTY_MEMBERS]:
            _office(head, "party_member", since)
        if heads:
            _office(heads[0], "committee", since)
        if len(heads) > 1:
            _office(heads[1], "committee", since)
        village.representatives = reps
        village.party = heads[:PARTY_MEMBERS]
        village.households = members.register_counts(region.pk).households
        cast.villages.append(village)
    if stdout is not None:
        stdout.write(
            f"deliberation: {len(cast.villages)} villages, {cast.created} accounts created\n"
        )
    return cast


def threshold_of(village: Village) -> int:
    """The default rule's threshold for the village (10 households or 5 %, whichever is
    fewer), as the topics room fixes it."""
    return max(1, min(10, math.ceil(village.households * 5 / 100)))
