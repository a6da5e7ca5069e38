"""Double sign-ins and double ballots sent at the same instant: one wins, the other is a
clear Conflict, and the counts are right (PostgreSQL: SQLite serialises its writers)."""

import pytest
from django.db import connection

from gongzhi.core.errors import Conflict
from gongzhi.deliberation.meetings import services
from gongzhi.deliberation.models import AgendaItem, Attendance, Meeting, Vote
from tests.concurrency import race

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency tests need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_two_sign_ins_of_one_person_at_once(meet, hall):
    meeting = meet.sitting()
    results, errors = race(
        lambda: services.do_sign_in(
            actor=hall.villagers[4], meeting=meeting, token=meeting.sign_in_token
        ),
        lambda: services.do_sign_in(actor=hall.clerk, meeting=meeting, resident=hall.heads[4]),
    )
    assert sum(e is None for e in errors) == 1
    assert all(isinstance(e, Conflict) for e in errors if e is not None)
    assert Attendance.objects.filter(meeting=meeting).count() == 1
    m = Meeting.objects.get(pk=meeting.pk)
    assert (m.present, m.present_households) == (1, 1)


def test_two_ballots_of_one_person_at_once(meet, hall):
    meeting = meet.voting()
    item = meeting.items.get()
    results, errors = race(
        lambda: services.do_vote(actor=hall.villagers[1], item=item, choice="for"),
        lambda: services.do_vote(actor=hall.villagers[1], item=item, choice="against"),
    )
    assert sum(e is None for e in errors) == 1
    assert all(isinstance(e, Conflict) for e in errors if e is not None)
    item = AgendaItem.objects.get(pk=item.pk)
    assert Vote.objects.filter(item=item).count() == 1
    assert item.votes_for + item.votes_against == 1


def test_two_members_of_a_household_vote_at_once_in_a_hall_session(meet, hall):
    w = hall
    meeting = meet.sitting("hall", present=[w.heads[0]])
    services.do_sign_in(actor=w.spouse, meeting=meeting, token=meeting.sign_in_token)
    meeting = services.do_open_voting(actor=w.clerk, meeting=meeting)
    item = meeting.items.get()
    results, errors = race(
        lambda: services.do_vote(actor=w.villagers[0], item=item, choice="for"),
        lambda: services.do_vote(actor=w.spouse, item=item, choice="against"),
    )
    assert sum(e is None for e in errors) == 1
    assert Vote.objects.filter(item=item).count() == 1


def test_many_different_voters_at_once_are_all_counted(meet, hall):
    meeting = meet.voting()
    item = meeting.items.get()
    results, errors = race(
        *[
            (lambda v=v: services.do_vote(actor=v, item=item, choice="for"))
            for v in hall.villagers[:6]
        ]
    )
    assert errors == [None] * 6
    assert AgendaItem.objects.get(pk=item.pk).votes_for == 6
