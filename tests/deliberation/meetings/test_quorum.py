"""The quorum and decision rules on a table of meetings, at and around each boundary
(村民委员会组织法 arts. 22, 26; 城市居民委员会组织法 art. 10), from the seeded rule rows."""

import pytest

from gongzhi.deliberation.meetings.quorum import passes, quorum
from gongzhi.deliberation.members import Counts
from gongzhi.deliberation.models import MeetingRule

pytestmark = pytest.mark.django_db


def rule(code):
    return MeetingRule.objects.get(code=code)


def c(households=0, adults=0, representatives=0, party_members=0, committee=0):
    return Counts(households, adults, representatives, party_members, committee)


# (rule, register, present, quorate, needed on the main basis)
QUORUM = [
    # 村民会议: more than half of 100 adults (51), or two thirds of 30 households (20).
    ("village-assembly", c(30, 100), c(0, 50), False, 51),
    ("village-assembly", c(30, 100), c(0, 51), True, 51),
    ("village-assembly", c(30, 100), c(19, 40), False, 51),
    ("village-assembly", c(30, 100), c(20, 40), True, 51),
    # odd numbers: more than half of 25 is 13; two thirds of 31 households is 21 (20.67 up).
    ("village-assembly", c(31, 25), c(20, 12), False, 13),
    ("village-assembly", c(31, 25), c(21, 12), True, 13),
    ("village-assembly", c(31, 25), c(0, 13), True, 13),
    # 村民代表会议: at least two thirds of 30 representatives is 20; of 31, 21.
    ("village-reps", c(representatives=30), c(representatives=19), False, 20),
    ("village-reps", c(representatives=30), c(representatives=20), True, 20),
    ("village-reps", c(representatives=31), c(representatives=20), False, 21),
    ("village-reps", c(representatives=31), c(representatives=21), True, 21),
    # 居民会议: more than half of the adults, or more than half of the households.
    ("resident-assembly", c(40, 100), c(20, 50), False, 51),
    ("resident-assembly", c(40, 100), c(21, 10), True, 51),
    ("resident-reps", c(representatives=10), c(representatives=5), False, 6),
    ("resident-reps", c(representatives=10), c(representatives=6), True, 6),
    # Party members' meeting: more than half of 9 is 5.
    ("party-rural", c(party_members=9), c(party_members=4), False, 5),
    ("party-rural", c(party_members=9), c(party_members=5), True, 5),
    # A hall session has no quorum.
    ("hall-rural", c(12, 24), c(0, 0), True, 0),
]


@pytest.mark.parametrize(("code", "register", "present", "ok", "needed"), QUORUM)
def test_quorum_at_the_boundaries(code, register, present, ok, needed):
    got_ok, got_needed, note = quorum(rule(code), register, present)
    assert (got_ok, got_needed) == (ok, needed)
    assert note


# (rule, for, present, passes): "more than half of those present".
DECISIONS = [
    ("village-assembly", 25, 50, False),
    ("village-assembly", 26, 50, True),
    ("village-assembly", 25, 49, True),
    ("village-assembly", 24, 49, False),
    ("village-reps", 10, 20, False),
    ("village-reps", 11, 20, True),
    ("hall-rural", 0, 0, False),
]


@pytest.mark.parametrize(("code", "votes_for", "present", "ok"), DECISIONS)
def test_decision_by_those_present(code, votes_for, present, ok):
    assert passes(rule(code), votes_for, present) is ok


def test_at_least_versus_more_than():
    r = rule("village-assembly")
    r.decision_num, r.decision_den = 2, 3
    r.decision_strict = False
    assert passes(r, 20, 30) is True  # at least two thirds
    r.decision_strict = True
    assert passes(r, 20, 30) is False  # more than two thirds
    assert passes(r, 21, 30) is True
