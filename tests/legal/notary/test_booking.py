"""Booking a time at a notary office, as a resident and the office see it: a place taken
and the resident told, a full slot refused (page and API) with nothing changed, one active
booking per person per slot, cancelling before the time frees the place, the office marks
attended or not, lays out slots in bulk, and each sees only what is theirs."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core import workdays
from gongzhi.core.errors import Conflict, NotAllowed, ServiceError
from gongzhi.legal.models import BookingStatus, NotaryBooking, NotarySlot
from gongzhi.legal.notary import services
from gongzhi.notify.models import Notification
from tests.api import conftest as api_fixtures

from .conftest import INHERIT, slot

pytestmark = pytest.mark.django_db
as_token = api_fixtures.as_token


def book(w, user=None, target=None, answers=INHERIT):
    return services.do_book(
        user=user or w.resident,
        slot_id=(target or w.slot).pk,
        matter=w.inheritance,
        answers=answers,
    )


def test_a_booking_takes_a_place_keeps_the_guide_and_tells_the_resident(
    notary_world, django_capture_on_commit_callbacks
):
    w = notary_world
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(w)
    w.slot.refresh_from_db()
    assert w.slot.booked == 1
    assert booking.number.startswith("GZ") and booking.status == BookingStatus.BOOKED
    assert "不动产权证书（房产证）原件" in booking.documents
    assert str(booking.fee) == "5100.00"
    notice = Notification.objects.get(recipient=w.resident, kind="legal.notary_booked")
    assert booking.number in notice.title and "乐都区公证处" in notice.body
    # The office hears of it too, to prepare for the visit.
    told = Notification.objects.get(recipient=w.notary, kind="legal.notary_new_booking")
    assert booking.number in told.title and w.resident.display_name not in told.body


def test_a_full_slot_is_refused_and_nothing_changes(notary_world):
    w = notary_world
    book(w, target=w.last)
    with pytest.raises(Conflict) as caught:
        book(w, user=w.other_resident, target=w.last)
    assert caught.value.code == "slot_full"
    w.last.refresh_from_db()
    assert w.last.booked == 1
    assert NotaryBooking.objects.filter(slot=w.last).count() == 1


def test_one_active_booking_per_person_per_slot(notary_world):
    w = notary_world
    book(w)
    with pytest.raises(Conflict) as caught:
        book(w)
    assert caught.value.code == "already_booked"
    w.slot.refresh_from_db()
    assert w.slot.booked == 1


def test_a_past_slot_and_bad_answers_are_refused(notary_world):
    w = notary_world
    past = slot(w.office, 0, start=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(ServiceError) as caught:
        book(w, target=past)
    assert caught.value.code == "slot_past"
    with pytest.raises(ServiceError) as caught:
        book(w, answers={"will": "no"})
    assert caught.value.field == "heirs"
    assert not NotaryBooking.objects.exists()
    assert NotarySlot.objects.filter(booked__gt=0).count() == 0


def test_cancelling_frees_the_place_and_can_be_booked_again(notary_world):
    w = notary_world
    first = book(w, target=w.last)
    with pytest.raises(NotAllowed):
        services.do_cancel(user=w.other_resident, booking=first)
    services.do_cancel(user=w.resident, booking=first)
    w.last.refresh_from_db()
    assert w.last.booked == 0
    with pytest.raises(Conflict):
        services.do_cancel(user=w.resident, booking=first)
    w.last.refresh_from_db()
    assert w.last.booked == 0
    again = book(w, user=w.other_resident, target=w.last)
    assert again.status == BookingStatus.BOOKED
    # the same person may book the slot again after cancelling
    book(w, target=w.slot)


def test_no_cancelling_once_begun(notary_world):
    w = notary_world
    booking = book(w)
    with pytest.raises(ServiceError) as caught:
        services.do_cancel(user=w.resident, booking=booking, now=w.slot.starts_at)
    assert caught.value.code == "too_late"


def test_the_office_marks_attended_on_the_day_only(notary_world):
    w = notary_world
    booking = book(w)
    with pytest.raises(ServiceError) as caught:
        services.do_mark(user=w.notary, booking=booking, outcome="attended")
    assert caught.value.code == "not_yet"
    with pytest.raises(NotAllowed):
        services.do_mark(
            user=w.pingan_notary, booking=booking, outcome="attended", now=w.slot.starts_at
        )
    done = services.do_mark(
        user=w.notary, booking=booking, outcome="attended", now=w.slot.starts_at
    )
    assert done.status == BookingStatus.ATTENDED


def next_monday(weeks_on=1):
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday() + 7 * (weeks_on - 1))


def test_slots_in_bulk_from_a_week_template(notary_world):
    w = notary_world
    monday = next_monday(2)
    made = services.do_make_slots(
        user=w.notary,
        office=w.office,
        first_day=monday,
        weeks=2,
        weekdays=[0, 2],
        times=[(dt.time(9), dt.time(10)), (dt.time(14, 30), dt.time(15, 30))],
        capacity=4,
        working_days_only=False,
    )
    assert made == 8
    again = services.do_make_slots(
        user=w.notary,
        office=w.office,
        first_day=monday,
        weeks=2,
        weekdays=[0, 2],
        times=[(dt.time(9), dt.time(10))],
        capacity=4,
        working_days_only=False,
    )
    assert again == 0  # the same times are not made twice
    with pytest.raises(NotAllowed):
        services.do_make_slots(
            user=w.pingan_notary,
            office=w.office,
            first_day=monday,
            weeks=1,
            weekdays=[0],
            times=[(dt.time(9), dt.time(10))],
            capacity=1,
        )
    with pytest.raises(ServiceError) as caught:
        services.do_make_slots(
            user=w.notary,
            office=w.office,
            first_day=monday,
            weeks=9,
            weekdays=[],
            times=[(dt.time(10), dt.time(9))],
            capacity=0,
        )
    assert {e.field for e in caught.value.all} == {"weeks", "days", "times", "capacity"}


def test_holidays_are_skipped_and_make_up_days_kept(notary_world, monkeypatch):
    w = notary_world
    monday = next_monday(2)
    holiday, make_up = monday + dt.timedelta(days=3), monday + dt.timedelta(days=5)
    monkeypatch.setattr(workdays, "_days", {holiday: False, make_up: True})
    made = services.do_make_slots(
        user=w.notary,
        office=w.office,
        first_day=monday,
        weeks=1,
        weekdays=range(7),
        times=[(dt.time(9), dt.time(10))],
        capacity=2,
    )
    days = {
        timezone.localdate(s.starts_at)
        for s in NotarySlot.objects.filter(office=w.office, capacity=2)
    }
    assert made == 5 and holiday not in days and make_up in days
    assert monday + dt.timedelta(days=6) not in days  # Sunday


# --- pages ---------------------------------------------------------------------------------


def test_booking_from_the_page_then_cancelling(notary_world, client):
    w = notary_world
    client.force_login(w.resident)
    response = client.post(
        "/legal/notary/m/inheritance/book/", {**INHERIT, "slot": w.slot.pk}, follow=True
    )
    booking = NotaryBooking.objects.get()
    html = response.content.decode()
    assert booking.number in html and "被继承人的死亡证明" in html
    mine = client.get("/legal/notary/mine/").content.decode()
    assert booking.number in mine
    client.post(f"/legal/notary/bookings/{booking.number}/cancel/")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_a_full_slot_is_refused_on_the_page_in_chinese(notary_world, client):
    w = notary_world
    book(w, user=w.other_resident, target=w.last)
    client.force_login(w.resident)
    response = client.post("/legal/notary/m/inheritance/book/", {**INHERIT, "slot": w.last.pk})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="book-error"' in html
    assert "约满" in html or "is full" in html  # Chinese once the lead compiles the catalogue
    assert NotaryBooking.objects.count() == 1


def test_booking_needs_a_login(notary_world, client):
    response = client.post("/legal/notary/m/inheritance/book/", {**INHERIT, "slot": 1})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_desk_lists_the_days_bookings_with_answers_and_documents(notary_world, client):
    w = notary_world
    booking = book(w)
    client.force_login(w.notary)
    day = timezone.localdate(w.slot.starts_at)
    html = client.get("/legal/notary/desk/", {"day": f"{day:%Y-%m-%d}"}).content.decode()
    assert booking.number in html
    assert "被继承人是否留有遗嘱？" in html and "不动产权证书（房产证）原件" in html
    assert "马秀兰" not in html  # the applicant's name is masked
    # another office's clerk does not see it; a resident has no desk
    client.force_login(w.pingan_notary)
    other = client.get("/legal/notary/desk/", {"day": f"{day:%Y-%m-%d}"}).content.decode()
    assert booking.number not in other
    assert client.get(f"/legal/notary/bookings/{booking.number}/").status_code == 404
    client.force_login(w.resident)
    assert client.get("/legal/notary/desk/").status_code == 404


def test_the_slot_page_lays_out_a_week(notary_world, client):
    w = notary_world
    client.force_login(w.notary)
    monday = next_monday(2)
    response = client.post(
        "/legal/notary/desk/slots/",
        {
            "office": w.office.pk,
            "first_day": f"{monday:%Y-%m-%d}",
            "weeks": 1,
            "days": ["1", "3"],
            "times": "09:00-10:00，10:00-11:00",
            "capacity": 2,
        },
    )
    assert response.status_code == 302
    assert NotarySlot.objects.filter(office=w.office, capacity=2).count() == 4
    bad = client.post(
        "/legal/notary/desk/slots/",
        {
            "office": w.office.pk,
            "first_day": f"{monday:%Y-%m-%d}",
            "weeks": 1,
            "days": ["1"],
            "times": "9点到10点",
            "capacity": 2,
        },
    )
    assert bad.status_code == 400 and 'data-testid="error-times"' in bad.content.decode()


# --- scope ---------------------------------------------------------------------------------


def test_each_sees_only_their_bookings(notary_world, client):
    w = notary_world
    mine = book(w)
    theirs = book(w, user=w.other_resident, target=w.pingan_slot)
    assert set(NotaryBooking.objects.visible_to(w.resident)) == {mine}
    assert set(NotaryBooking.objects.visible_to(w.notary)) == {mine}
    assert set(NotaryBooking.objects.visible_to(w.pingan_notary)) == {theirs}
    assert set(NotaryBooking.objects.visible_to(w.admin)) == {mine, theirs}
    assert not NotaryBooking.objects.visible_to(w.reviewer).exists()
    client.force_login(w.resident)
    assert client.get(f"/legal/notary/bookings/{theirs.number}/").status_code == 404
    assert client.post(f"/legal/notary/bookings/{theirs.number}/cancel/").status_code == 404


# --- API -----------------------------------------------------------------------------------


def test_the_api_guides_and_books(notary_world, as_token):
    w = notary_world
    api = as_token(w.resident)
    matters = api.get("/legal/notary/matters").json()
    assert "inheritance" in {m["code"] for m in matters}
    questionnaire = api.get("/legal/notary/matters/inheritance").json()
    assert [q["key"] for q in questionnaire["questions"]] == ["will", "heirs", "property", "value"]
    assert questionnaire["questions"][3]["when"] == {"property": ["yes"]}
    outcome = api.post("/legal/notary/matters/inheritance/evaluate", {"answers": INHERIT}).json()
    assert outcome["fee"] == "5100.00" or float(outcome["fee"]) == 5100
    offices = api.get("/legal/notary/offices").json()  # from the resident's profile
    assert [o["code"] for o in offices] == ["630202-GZC"]
    assert {s["id"] for s in offices[0]["free_slots"]} == {w.slot.pk, w.last.pk}
    assert [o["code"] for o in api.get("/legal/notary/offices", {"region": "630203"}).json()] == [
        "630203-GZC"
    ]
    slots = api.get("/legal/notary/offices/630202-GZC/slots").json()
    assert {s["id"] for s in slots} == {w.slot.pk, w.last.pk}
    made = api.post(
        "/legal/notary/bookings", {"slot": w.last.pk, "matter": "inheritance", "answers": INHERIT}
    )
    assert made.status_code == 201, made.content
    number = made.json()["number"]
    assert made.json()["status"] == "booked" and made.json()["applicant"] != "马秀兰"
    listed = api.get("/legal/notary/bookings").json()
    assert [b["number"] for b in listed["items"]] == [number]
    # the last place is gone: the slot is no longer offered, and booking it again is a 409
    slots = api.get("/legal/notary/offices/630202-GZC/slots").json()
    assert {s["id"] for s in slots} == {w.slot.pk}
    other = as_token(w.other_resident)
    full = other.post(
        "/legal/notary/bookings", {"slot": w.last.pk, "matter": "inheritance", "answers": INHERIT}
    )
    assert full.status_code == 409
    assert full.json()["error"] == "slot_full" and full.json()["field"] == "slot"
    assert other.get(f"/legal/notary/bookings/{number}").status_code == 404
    assert other.post(f"/legal/notary/bookings/{number}/cancel").status_code == 404
    cancelled = api.post(f"/legal/notary/bookings/{number}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_the_api_refuses_bad_answers_with_the_field(notary_world, as_token):
    api = as_token(notary_world.resident)
    response = api.post(
        "/legal/notary/matters/inheritance/evaluate", {"answers": {"will": "no", "heirs": "9"}}
    )
    body = response.json()
    assert response.status_code == 400
    assert body["field"] == "heirs" and {e["field"] for e in body["errors"]} == {
        "heirs",
        "property",
    }
    assert api.get("/legal/notary/matters/nope").status_code == 404
    assert api.get("/legal/notary/offices", {"region": "999999"}).status_code == 404


def test_the_office_marks_through_the_api(notary_world, as_token):
    w = notary_world
    booking = book(w)
    resident = as_token(w.resident).post(
        f"/legal/notary/bookings/{booking.number}/mark", {"outcome": "attended"}
    )
    assert resident.status_code == 403
    office = as_token(w.notary)
    listed = office.get("/legal/notary/bookings").json()
    assert [b["number"] for b in listed["items"]] == [booking.number]
    early = office.post(f"/legal/notary/bookings/{booking.number}/mark", {"outcome": "attended"})
    assert early.status_code == 400 and early.json()["error"] == "not_yet"


def test_the_lists_read_a_fixed_number_of_queries(
    notary_world, client, django_assert_max_num_queries
):
    w = notary_world
    people = [w.resident, w.other_resident, w.admin, w.reviewer, w.lawyer]
    busy = slot(w.office, 13, capacity=5)
    for person in people:
        book(w, user=person, target=busy)
    day = timezone.localdate(busy.starts_at)
    client.force_login(w.notary)
    with django_assert_max_num_queries(16):
        html = client.get("/legal/notary/desk/", {"day": f"{day:%Y-%m-%d}"}).content.decode()
    assert html.count('data-testid="desk-row"') == 5
    client.force_login(w.resident)
    with django_assert_max_num_queries(12):
        client.get("/legal/notary/mine/")


def test_a_slot_number_out_of_range_is_not_found(notary_world, client):
    client.force_login(notary_world.resident)
    response = client.post("/legal/notary/m/inheritance/book/", {**INHERIT, "slot": "9" * 30})
    assert response.status_code == 404
    assert not NotaryBooking.objects.exists()


def test_the_office_reveals_the_applicant_and_it_is_audited(notary_world, client, as_token):
    from gongzhi.core.models import AuditLog

    w = notary_world
    booking = book(w)
    assert (booking.applicant_name, booking.phone) == ("马秀兰", "13900001111")
    client.force_login(w.notary)
    page = client.get(f"/legal/notary/bookings/{booking.number}/").content.decode()
    assert "马秀兰" not in page and "13900001111" not in page and 'data-testid="reveal"' in page
    shown = client.post(f"/legal/notary/bookings/{booking.number}/reveal/").content.decode()
    assert "马秀兰" in shown and "13900001111" in shown
    assert AuditLog.objects.filter(actor=w.notary, action="unmask").count() == 1
    api = as_token(w.notary)
    listed = api.get("/legal/notary/bookings").json()["items"][0]
    assert "马秀兰" not in str(listed) and "13900001111" not in str(listed)
    revealed = api.post(f"/legal/notary/bookings/{booking.number}/reveal").json()
    assert revealed == {"applicant_name": "马秀兰", "phone": "13900001111"}
    # the resident has no reveal on their own booking page, another office cannot reach it
    assert (
        as_token(w.resident).post(f"/legal/notary/bookings/{booking.number}/reveal").status_code
        == 403
    )
    other = as_token(w.pingan_notary).post(f"/legal/notary/bookings/{booking.number}/reveal")
    assert other.status_code == 404
    assert AuditLog.objects.filter(action="unmask").count() == 2
