"""Fixtures shared by the cases tests: cases spread over the world, and a committed world."""

import pytest

from tests.factories import case_in, move, report


@pytest.fixture
def shared_world(transactional_db):
    """The world committed for real, for tests whose threads each use their own connection
    (they run on PostgreSQL only)."""
    from tests.world import build

    return build()


@pytest.fixture
def spread(world):
    """Cases in both counties and in several states."""
    w = world
    return {
        "ledu_new": report(w, title="井盖丢失"),
        "ledu_doing": case_in(w, "in_progress"),
        "ledu_closed": case_in(w, "closed"),
        "pingan_new": report(w, point=w.other_point, title="平安区路灯"),
    }


@pytest.fixture
def rated(world):
    w = world
    happy = case_in(w, "closed")
    move(happy, "callback", w.resident, resolved=True, satisfaction="satisfied")
    unhappy = case_in(w, "closed")
    move(unhappy, "callback", w.resident, resolved=False, satisfaction="unsatisfied", reopen=False)
    case_in(w, "in_progress")
    other = report(w, point=w.other_point)
    move(other, "accept", w.other_dispatcher)
    move(other, "dispatch", w.other_dispatcher)
    return w
