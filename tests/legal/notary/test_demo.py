"""The demo's notary offices on the demo's own regions, loaded once for the module: every
county's office with slots, some booked, demo_resident holding a booking the demo notary
sees on the desk; loading again adds nothing."""

import time

import pytest
from django.db import transaction

from gongzhi.demo import accounts as demo_accounts
from gongzhi.demo import regions as demo_regions
from gongzhi.demo.legal import notary as demo_notary
from gongzhi.demo.legal import staff as demo_staff
from gongzhi.legal.models import BookingStatus, NotaryBooking, NotaryOffice, NotarySlot
from gongzhi.regions import lookup


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            lookup.invalidate()
            demo_regions.load()
            demo_accounts.load()
            demo_staff.load()
            started = time.perf_counter()
            first = demo_notary.load()
            first["seconds"] = time.perf_counter() - started
            second = demo_notary.load()
            yield first, second
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            lookup.invalidate()


@pytest.fixture
def demo(loaded, db):
    return loaded


def test_every_county_has_an_office_with_slots_and_bookings(demo):
    first, second = demo
    print("demo notary", first)
    assert first["offices"] == NotaryOffice.objects.count() >= 2
    for office in NotaryOffice.objects.all():
        assert office.slots.exists() and office.address and office.latitude
    assert NotaryBooking.objects.filter(status=BookingStatus.BOOKED).count() > 50
    assert NotaryBooking.objects.filter(status=BookingStatus.ATTENDED).exists()
    assert second["slots_created"] == 0 and second["booked"] == 0
    assert not NotarySlot.objects.filter(booked__gt=0).exclude(bookings__isnull=False).exists()


def test_the_demo_resident_has_a_booking_the_demo_notary_sees(demo, client):
    first, _ = demo
    number = first["resident_booking"]
    booking = NotaryBooking.objects.get(number=number)
    assert booking.resident.username == "demo_resident"
    from gongzhi.accounts.models import User

    assert (
        NotaryBooking.objects.visible_to(User.objects.get(username="demo_notary"))
        .filter(number=number)
        .exists()
    )
