"""How a person relates to a meeting: who convenes it (the village's committee and clerk),
and whom its rule entitles to attend and vote (the second half of each workflow rule, and
the sign-in's and the ballot's checks)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import members
from ..choices import QuorumBasis


def convenes(actor, meeting, scope) -> bool:
    """The committee (两委 and its clerk) of the meeting's village or community."""
    return members.covers(members.committee_paths(scope), meeting.region_path)


PREDICATES = {"convenes": convenes}


@dataclass(frozen=True)
class Standing:
    """A resident of the register as a meeting sees them on its day."""

    resident_id: int
    household_id: int
    region_id: int
    adult: bool
    offices: frozenset[str]

    @property
    def representative(self) -> bool:
        return "representative" in self.offices


def standing_of(resident, on: dt.date) -> Standing:
    from gongzhi.people.models import Office

    offices = frozenset(
        Office.objects.current(on).filter(resident=resident).values_list("kind", flat=True)
    )
    return Standing(
        resident_id=resident.pk,
        household_id=resident.household_id,
        region_id=resident.region_id,
        adult=resident.age_on(on) >= members.ADULT_AGE,
        offices=offices,
    )


def from_villager(v: members.Villager) -> Standing:
    return Standing(v.resident_id, v.household_id, v.region_id, v.adult, v.offices)


def entitled(rule, who: Standing) -> bool:
    """Whether the meeting's basis lets this resident attend and vote: the adults for an
    assembly, the representatives for theirs, the Party members for the Party's, the
    committee's offices for the two committees, every villager for a hall session."""
    basis = rule.basis
    if basis in (QuorumBasis.ADULTS, QuorumBasis.HOUSEHOLDS):
        return who.adult
    if basis == QuorumBasis.REPRESENTATIVES:
        return who.representative
    if basis == QuorumBasis.PARTY_MEMBERS:
        return bool(who.offices & members.PARTY)
    if basis == QuorumBasis.COMMITTEE:
        return bool(who.offices & members.COMMITTEE)
    return True


def staff_may_attend(rule) -> bool:
    """The committee's staff sit in their own meetings in person, outside the register."""
    return rule.basis == QuorumBasis.COMMITTEE
