"""Residents racing for the last places of a slot, each in their own connection at the same
instant (PostgreSQL: SQLite serialises its writers, so the race cannot happen there)."""

import pytest
from django.db import connection

from gongzhi.core.errors import Conflict
from gongzhi.legal.models import NotaryBooking, NotarySlot
from gongzhi.legal.notary import services
from tests.concurrency import race
from tests.factories import UserFactory

from .conftest import INHERIT, slot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the booking race needs PostgreSQL")


def booking_by(w, user, target):
    return lambda: services.do_book(
        user=user, slot_id=target.pk, matter=w.inheritance, answers=INHERIT
    )


def test_the_last_place_goes_to_exactly_one(notary_world):
    w = notary_world
    people = [w.resident, w.other_resident] + [UserFactory() for _ in range(6)]
    results, errors = race(*(booking_by(w, p, w.last) for p in people))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert all(isinstance(e, Conflict) and e.code == "slot_full" for e in errors if e)
    assert sum(e is not None for e in errors) == len(people) - 1
    w.last.refresh_from_db()
    assert w.last.booked == 1
    assert NotaryBooking.objects.filter(slot=w.last).count() == 1


def test_three_places_go_to_exactly_three(notary_world):
    w = notary_world
    three = slot(w.office, 15, capacity=3)
    people = [UserFactory() for _ in range(8)]
    results, errors = race(*(booking_by(w, p, three) for p in people))
    assert sum(r is not None for r in results) == 3
    assert {e.code for e in errors if e} == {"slot_full"}
    assert NotarySlot.objects.get(pk=three.pk).booked == 3
    assert NotaryBooking.objects.filter(slot=three).count() == 3


def test_two_clicks_of_one_person_book_once(notary_world):
    w = notary_world
    results, errors = race(booking_by(w, w.resident, w.slot), booking_by(w, w.resident, w.slot))
    assert sum(r is not None for r in results) == 1
    assert [e.code for e in errors if e] == ["already_booked"]
    w.slot.refresh_from_db()
    assert w.slot.booked == 1
    assert NotaryBooking.objects.filter(slot=w.slot, resident=w.resident).count() == 1
