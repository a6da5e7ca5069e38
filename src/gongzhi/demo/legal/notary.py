"""The demo's notary offices: every county's 公证处 (made by ``staff``) with its address,
phone, hours and map position; time slots on the working days from a week ago to three
weeks ahead (five a day); about a third of the places booked through the real booking
service by a dozen demo applicants, last week's marked attended or not; and ``demo_resident``
with an inheritance booking in 乐都区 (their profile placed in their community).

Idempotent: an office that already has slots gets none, and no bookings are made when the
demo offices already have some.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Organisation, OrganisationKind, User
from gongzhi.core import workdays
from gongzhi.demo.accounts import DEMO_COUNTY_CODE, Tree
from gongzhi.legal.models import (
    BookingStatus,
    NotaryBooking,
    NotaryMatter,
    NotaryOffice,
    NotarySlot,
    ResidentProfile,
)
from gongzhi.legal.notary import services
from gongzhi.legal.notary.matters import seed

from .staff import NOTARY, resident_community

TIMES = [(9, 0), (10, 0), (11, 0), (14, 30), (15, 30)]
DAYS_BACK, DAYS_AHEAD = 7, 21
APPLICANTS = [
    "马福祥", "韩秀英", "祁永寿", "李桂兰", "冶成福", "张玉梅",
    "赵德明", "何春花", "朱海军", "鲁建英", "喇文斌", "王翠兰",
]  # fmt: skip
ANSWERS = {
    "inheritance": [
        {"will": "no", "heirs": "3", "property": "yes", "value": "380000"},
        {"will": "yes", "heirs": "2", "property": "no"},
    ],
    "entrust": [{"about": "property", "abroad": "no"}, {"about": "money", "abroad": "no"}],
    "gift": [{"object": "house", "value": "260000"}],
    "property-sale": [{"mortgage": "no", "value": "450000"}],
    "will": [{"property": "yes", "home": "no"}],
    "declaration": [{"abroad": "no"}],
    "birth": [{"abroad": "yes", "copies": "2"}],
    "kinship": [{"abroad": "yes", "copies": "1"}],
    "marital": [{"status": "married", "abroad": "yes", "copies": "1"}],
    "education": [{"abroad": "yes", "copies": "2"}],
    "no-record": [{"abroad": "yes", "copies": "1"}],
}


def _offices(tree: Tree) -> list[NotaryOffice]:
    offices = []
    for county in tree.counties:
        unit = Organisation.objects.filter(
            code=f"{county.code}-{NOTARY}", kind=OrganisationKind.NOTARY_OFFICE
        ).first()
        if unit is None:
            continue
        office, _created = NotaryOffice.objects.get_or_create(
            organisation=unit,
            defaults={
                "address": f"{county.name}政务服务中心二楼公证窗口",
                "phone": "0972-12348",
                "hours": "周一至周五 9:00–12:00, 14:30–17:30",
                "longitude": county.centre_lng,
                "latitude": county.centre_lat,
            },
        )
        offices.append(office)
    return offices


def _slots(office: NotaryOffice, today: dt.date, demo_county: bool) -> int:
    if office.slots.exists():
        return 0
    rows = []
    for offset in range(-DAYS_BACK, DAYS_AHEAD + 1):
        day = today + dt.timedelta(days=offset)
        if not workdays.is_workday(day):
            continue
        for hour, minute in TIMES:
            starts = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
            rows.append(
                NotarySlot(
                    office=office,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=1),
                    capacity=3 if demo_county else 2,
                )
            )
    NotarySlot.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _applicants() -> list[User]:
    password = make_password(None)  # they do not log in
    users = []
    for i, name in enumerate(APPLICANTS, 1):
        user, _created = User.objects.get_or_create(
            username=f"demo_gz_applicant{i:02d}",
            defaults={"display_name": name, "password": password},
        )
        users.append(user)
    return users


def _bookings(offices, applicants, now) -> dict[str, int]:
    matters = {m.code: m for m in NotaryMatter.objects.filter(code__in=ANSWERS)}
    plans = itertools.cycle(
        [(matters[code], answers) for code, sets in ANSWERS.items() for answers in sets]
    )
    people = itertools.cycle(applicants)
    counts = {"booked": 0, "attended": 0, "no_show": 0}
    clerk = User.objects.filter(username="demo_notary").first()
    for office in offices:
        demo_county = office.code.startswith(DEMO_COUNTY_CODE)
        for index, slot in enumerate(office.slots.order_by("starts_at")):
            if index % (1 if demo_county else 3):
                continue
            matter, answers = next(plans)
            for _place in range(1 if index % 2 else 2 if demo_county else 1):
                booking = services.do_book(
                    user=next(people),
                    slot_id=slot.pk,
                    matter=matter,
                    answers=answers,
                    now=min(now, slot.starts_at - dt.timedelta(days=2)),
                )
                counts["booked"] += 1
                if slot.starts_at < now and clerk is not None and demo_county:
                    outcome = BookingStatus.NO_SHOW if index % 7 == 0 else BookingStatus.ATTENDED
                    services.do_mark(user=clerk, booking=booking, outcome=outcome, now=now)
                    counts[str(outcome)] += 1
    return counts


def _resident(offices, now) -> str:
    user = User.objects.filter(username="demo_resident").first()
    office = next((o for o in offices if o.code.startswith(DEMO_COUNTY_CODE)), None)
    if user is None or office is None:
        return ""
    home = resident_community(Tree())
    if home is not None:
        ResidentProfile.objects.get_or_create(user=user, defaults={"region": home})
    slot = (
        NotarySlot.objects.free(now + dt.timedelta(days=2))
        .filter(office=office)
        .order_by("starts_at")
        .first()
    )
    if slot is None:
        return ""
    booking = services.do_book(
        user=user,
        slot_id=slot.pk,
        matter=NotaryMatter.objects.get(code="inheritance"),
        answers=ANSWERS["inheritance"][0],
        now=now,
    )
    return booking.number


def load(*, stdout=None) -> dict:
    seed(NotaryMatter)  # the migration seeded them; a flushed database has them back
    tree = Tree()
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        offices = _offices(tree)
        slots = sum(_slots(o, today, o.code.startswith(DEMO_COUNTY_CODE)) for o in offices)
        counts = {"offices": len(offices), "slots_created": slots, "booked": 0}
        if not NotaryBooking.objects.filter(office__in=offices).exists():
            counts.update(_bookings(offices, _applicants(), now))
            counts["resident_booking"] = _resident(offices, now)
    if stdout is not None:
        stdout.write(
            f"legal notary: {counts['offices']} offices, {slots} slots, "
            f"{counts['booked']} bookings\n"
        )
    return counts
