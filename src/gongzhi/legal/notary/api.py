"""The notary room's JSON API, under /api/v1/legal/notary/.

GET  /notary/matters                       the matters (reference rows)
GET  /notary/matters/{code}                one matter's questionnaire
POST /notary/matters/{code}/evaluate       answers → the documents to bring and the fee
GET  /notary/offices?region=code           the offices serving a place (default: the
                                           caller's village from their profile)
GET  /notary/offices/{code}/slots          an office's free slots (next three weeks)
POST /notary/bookings                      book a place: {slot, matter, answers}
GET  /notary/bookings                      the bookings the caller sees (own; office staff:
                                           their office's; administrators all)
GET  /notary/bookings/{number}             one booking
POST /notary/bookings/{number}/cancel      the resident cancels before the time
POST /notary/bookings/{number}/mark        the office: {"outcome": "attended"|"no_show"}
POST /notary/bookings/{number}/reveal      the office: the applicant's name and phone (audited;
                                           masked everywhere else)

Errors are ``{"error", "message", "field"}``: bad answers 400 (field = the question's key),
a full slot or a second booking of the same slot 409, another's booking 404.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.api import Day, ErrorOut, Pages
from gongzhi.core.db import MAX_ID
from gongzhi.core.errors import NotFound
from gongzhi.regions.models import Region

from ..models import NotaryBooking, NotaryOffice
from . import queries, services

router = Router(tags=["legal"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Code = Annotated[str, Field(max_length=40)]


class ChoiceOut(Schema):
    value: str
    label: str


class NotaryQuestionOut(Schema):
    key: str
    text: str
    type: str = Field(description="choice or amount")
    choices: list[ChoiceOut] = []
    min: Decimal | None = None
    max: Decimal | None = None
    when: dict[str, list[str]] | None = Field(None, description="asked only when these hold")


class MatterOut(Schema):
    code: str
    name: str
    summary: str
    colour: str


class MatterDetailOut(MatterOut):
    questions: list[NotaryQuestionOut]


class FeeLineOut(Schema):
    label: str
    amount: Decimal


class OutcomeOut(Schema):
    answers: dict[str, str]
    documents: list[str]
    fee: Decimal = Field(description="yuan")
    fee_lines: list[FeeLineOut]
    note: str


class AnswersIn(Schema):
    answers: dict[str, str | int | float] = Field(default_factory=dict)


class SlotOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    booked: int
    left: int


class OfficeOut(Schema):
    code: str
    name: str
    address: str
    phone: str
    hours: str
    longitude: float | None
    latitude: float | None
    free_slots: list[SlotOut] = []


class BookingIn(Schema):
    slot: Id
    matter: Code
    answers: dict[str, str | int | float] = Field(default_factory=dict)


class BookingOut(Schema):
    number: str
    status: str
    status_label: str
    matter: str
    matter_name: str
    office: str
    office_name: str
    slot: SlotOut
    answers: dict[str, str]
    documents: list[str]
    fee: Decimal
    applicant: str = Field(description="masked name")
    phone: str = Field(description="masked phone")
    created_at: dt.datetime

    @staticmethod
    def resolve_status_label(b):
        return b.get_status_display()

    @staticmethod
    def resolve_matter(b):
        return b.matter.code

    @staticmethod
    def resolve_matter_name(b):
        return b.matter.name

    @staticmethod
    def resolve_office(b):
        return b.office.code

    @staticmethod
    def resolve_office_name(b):
        return b.office.name

    @staticmethod
    def resolve_applicant(b):
        return b.masked_applicant

    @staticmethod
    def resolve_phone(b):
        return b.masked_phone


class RevealedOut(Schema):
    applicant_name: str
    phone: str


class MarkIn(Schema):
    outcome: Literal["attended", "no_show"]


class BookingFilter(Schema):
    status: Literal["booked", "cancelled", "attended", "no_show"] | None = None
    day: Day | None = Field(None, description="the slot's local day")
    mine: bool | None = Field(None, description="true: only the caller's own bookings")


def _question(q: dict) -> dict:
    return {
        "key": q["key"],
        "text": q["text"],
        "type": q.get("type", "choice"),
        "choices": [{"value": str(c["value"]), "label": c["label"]} for c in q.get("choices", [])],
        "min": q.get("min") if q.get("type") == "amount" else None,
        "max": q.get("max") if q.get("type") == "amount" else None,
        "when": {k: [str(v) for v in vals] for k, vals in q["when"].items()}
        if q.get("when")
        else None,
    }


def _matter(m) -> dict:
    return {"code": m.code, "name": m.name, "summary": m.summary, "colour": m.colour}


def _slot(s) -> dict:
    return {
        "id": s.pk,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "capacity": s.capacity,
        "booked": s.booked,
        "left": s.left,
    }


def _office(o, slots=()) -> dict:
    return {
        "code": o.code,
        "name": o.name,
        "address": o.address,
        "phone": o.phone,
        "hours": o.hours,
        "longitude": o.longitude,
        "latitude": o.latitude,
        "free_slots": [_slot(s) for s in slots],
    }


def _visible(request):
    return NotaryBooking.objects.visible_to(request.user).select_related(
        "slot", "office__organisation", "matter", "resident"
    )


def _get_booking(request, number: str) -> NotaryBooking:
    booking = _visible(request).filter(number=number[:24]).first()
    if booking is None:
        raise NotFound("booking_not_found", _("No such booking."), "number")
    return booking


@router.get("/notary/matters", response=list[MatterOut])
def matters(request):
    return [_matter(m) for m in queries.matters()]


@router.get("/notary/matters/{code}", response={200: MatterDetailOut, **ERRORS})
def matter(request, code: Code):
    m = services.check_matter(code=code)
    return {**_matter(m), "questions": [_question(q) for q in m.questions]}


@router.post("/notary/matters/{code}/evaluate", response={200: OutcomeOut, **ERRORS})
def evaluate(request, code: Code, body: AnswersIn):
    m = services.check_matter(code=code)
    outcome = services.evaluate(matter=m, answers=body.answers)
    return {
        "answers": outcome.answers,
        "documents": outcome.documents,
        "fee": outcome.fee,
        "fee_lines": [{"label": str(x["label"]), "amount": x["amount"]} for x in outcome.lines],
        "note": outcome.note,
    }


@router.get("/notary/offices", response={200: list[OfficeOut], **ERRORS})
def offices(request, region: Annotated[str | None, Query(max_length=12)] = None):
    """The offices serving the place (a region's code; default the caller's village), each
    with its next free slots."""
    place = queries.home_place(request.user)
    if region:
        place = Region.objects.filter(code=region).first()
        if place is None:
            raise NotFound("region_not_found", _("No such region."), "region")
    return [_office(o, o.free) for o in queries.offices_serving(place)]


@router.get("/notary/offices/{code}/slots", response={200: list[SlotOut], **ERRORS})
def office_slots(request, code: Code, start: Day | None = None, days: int = Query(21, ge=1, le=60)):
    office = (
        NotaryOffice.objects.enabled()
        .filter(organisation__code=code)
        .select_related("organisation")
        .first()
    )
    if office is None:
        raise NotFound("office_not_found", _("No such notary office."), "code")
    begin = (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min)) if start else timezone.now()
    )
    slots = queries.free_slots(office, start=begin, end=begin + dt.timedelta(days=days))
    return [_slot(s) for s in slots[:500]]


@router.post("/notary/bookings", response={201: BookingOut, **ERRORS})
def book(request, body: BookingIn):
    m = services.check_matter(code=body.matter)
    booking = services.do_book(user=request.user, slot_id=body.slot, matter=m, answers=body.answers)
    return Status(201, _get_booking(request, booking.number))


@router.get("/notary/bookings", response=list[BookingOut])
@paginate(Pages)
def bookings(request, filters: Query[BookingFilter]):
    rows = _visible(request).order_by("-slot__starts_at", "-id")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.mine:
        rows = rows.filter(resident=request.user)
    if filters.day:
        rows = rows.filter(slot__starts_at__date=filters.day)
    return rows


@router.get("/notary/bookings/{number}", response={200: BookingOut, **ERRORS})
def booking(request, number: Code):
    return _get_booking(request, number)


@router.post("/notary/bookings/{number}/cancel", response={200: BookingOut, **ERRORS})
def cancel(request, number: Code):
    b = services.do_cancel(user=request.user, booking=_get_booking(request, number))
    return _get_booking(request, b.number)


@router.post("/notary/bookings/{number}/reveal", response={200: RevealedOut, **ERRORS})
def reveal(request, number: Code):
    """The applicant's real name and phone, for the office's staff; audited."""
    return services.reveal_applicant(
        user=request.user, booking=_get_booking(request, number), request=request
    )


@router.post("/notary/bookings/{number}/mark", response={200: BookingOut, **ERRORS})
def mark(request, number: Code, body: MarkIn):
    b = services.do_mark(
        user=request.user, booking=_get_booking(request, number), outcome=body.outcome
    )
    return _get_booking(request, b.number)
