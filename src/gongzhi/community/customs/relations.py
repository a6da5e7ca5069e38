"""How a person relates to a registration: the second half of each rule of the table."""

from __future__ import annotations

from gongzhi.people import members


def council(actor, ceremony, scope) -> bool:
    """The village's committee staff, who sit on its 红白理事会."""
    return members.covers(members.committee_paths(scope), ceremony.region_path)


def household(actor, ceremony, scope) -> bool:
    """A resident of the registering household."""
    me = members.villager(actor)
    return me is not None and me.household_id == ceremony.household_id


PREDICATES = {f.__name__: f for f in (council, household)}
