"""Who is who in the hall: the People register's rule (``gongzhi.people.members``), which
the community app shares."""

from gongzhi.people.members import *  # noqa: F403
from gongzhi.people.members import (  # noqa: F401
    ADULT_AGE,
    COMMITTEE,
    COMMITTEE_ROLES,
    OVERSIGHT_KINDS,
    PARTY,
    Counts,
    Villager,
    _served,
    committee_paths,
    covers,
    is_committee,
    is_secretary,
    is_urban,
    oversees,
    oversight_paths,
    register_counts,
    secretary_paths,
    staff_paths,
    villager,
    visible_paths,
)
